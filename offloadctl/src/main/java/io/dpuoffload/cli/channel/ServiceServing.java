package io.dpuoffload.cli.channel;

import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.transport.Feature;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code fs serve}, {@code ipc serve} and {@code exec serve} do alike: read the service's
 * configuration file (what is wrong with it is bad input, every problem named), secure the channel
 * its YAML describes, serve the service until SIGTERM or Ctrl-C, and say {@code READY} once
 * listening.
 */
public final class ServiceServing {
    /** How long a stopping service may take to close its connections. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private ServiceServing() {}

    /** The channel settings every service's YAML has. */
    public record Channel(String node, String listen, Path pki, Set<String> peers) {}

    /** A started service: what it registers on the channel, and what it does per connection and once listening. */
    public interface Running extends AutoCloseable {
        Services.Builder register(Services.Builder services);

        default void connected(OffloadConnection connection) {}

        /** Once the channel listens, before READY (e.g. create the forwards' sockets). */
        default void listening() throws Exception {}

        @Override
        void close();

        /** A service that only registers, and closes. */
        static Running of(java.util.function.UnaryOperator<Services.Builder> register, Runnable close) {
            return new Running() {
                @Override
                public Services.Builder register(Services.Builder services) {
                    return register.apply(services);
                }

                @Override
                public void close() {
                    close.run();
                }
            };
        }
    }

    /** Starts the service a configuration describes. */
    public interface Starter<C> {
        Running start(C config) throws Exception;
    }

    /**
     * Serves the service {@code configFile} describes.
     *
     * @param exampleListen an endpoint for the message when {@code listen:} is missing
     * @param features what the channel offers beyond the services themselves
     */
    public static <C> int serve(
            CommandSpec spec,
            Path configFile,
            Function<Path, C> loader,
            Function<C, Channel> channel,
            String exampleListen,
            Set<Feature> features,
            Starter<C> starter)
            throws Exception {
        C config;
        try {
            config = loader.apply(configFile);
        } catch (ConfigException e) {
            throw new BadInputException(e.getMessage());
        }
        Channel settings = channel.apply(config);
        Endpoint endpoint;
        try {
            endpoint = ConfiguredChannel.listenEndpoint(settings.listen(), exampleListen);
        } catch (ConfigException | IllegalArgumentException e) {
            throw new BadInputException(configFile + ": " + e.getMessage());
        }
        StopSignal stop = new StopSignal(STOP_GRACE);
        try (Running service = starter.start(config)) {
            var transport = TransportConfig.builder(settings.node())
                    .features(features)
                    .services(service.register(Services.builder()).build());
            ConfiguredChannel.secure(transport, endpoint, settings.node(), settings.pki(), settings.peers(), true);
            ConfiguredChannel.serveUntil(
                    stop, spec, endpoint, transport.build(), service::connected, service::listening);
        } finally {
            stop.done();
        }
        return ExitCodes.OK;
    }
}
