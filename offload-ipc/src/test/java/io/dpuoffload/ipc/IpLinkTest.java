package io.dpuoffload.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The settings of a passed tap, read from iproute2's one-line output as it prints them. */
class IpLinkTest {
    @Test
    void aBridgePortsAddressMtuBridgeAndStateAreRead() {
        IpLink link = IpLink.parse("42: vnet0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc fq_codel master brvm"
                + " state UNKNOWN mode DEFAULT group default qlen 1000\\    link/ether fe:54:00:d9:00:01 brd"
                + " ff:ff:ff:ff:ff:ff");
        assertThat(link).isEqualTo(new IpLink("fe:54:00:d9:00:01", 1450, true, "brvm"));
    }

    @Test
    void aTunThatIsDownAndInNoBridgeHasNoAddressAndNoBridge() {
        IpLink link = IpLink.parse("7: tun0: <POINTOPOINT,MULTICAST,NOARP> mtu 1500 qdisc noop state DOWN mode"
                + " DEFAULT group default qlen 500\\    link/none ");
        assertThat(link).isEqualTo(new IpLink("", 1500, false, ""));
    }

    @Test
    void lowerUpAloneIsNotUp() {
        assertThat(IpLink.parse("3: tap1: <BROADCAST,MULTICAST,LOWER_UP> mtu 1500 state DOWN")
                        .up())
                .isFalse();
    }
}
