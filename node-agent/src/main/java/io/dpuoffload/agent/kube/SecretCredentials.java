package io.dpuoffload.agent.kube;

import io.dpuoffload.crd.NodeSecrets;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The node's certificates as its Secret carries them (PEM text): the CA's certificate, the node's
 * certificate and its key.
 */
public record SecretCredentials(String caCertificate, String certificate, String privateKey) {

    /**
     * The three keys of {@code secret} ({@code data}, base64, as the API server stores them; or
     * {@code stringData}, as a client may write them).
     *
     * @throws IllegalArgumentException naming every key that is missing or empty
     */
    public static SecretCredentials from(Secret secret) {
        String name = secret.getMetadata() == null
                ? "the Secret"
                : secret.getMetadata().getName();
        String ca = value(secret, NodeSecrets.CA_CERT);
        String cert = value(secret, NodeSecrets.CERT);
        String key = value(secret, NodeSecrets.KEY);
        List<String> missing = new ArrayList<>();
        if (ca == null) {
            missing.add(NodeSecrets.CA_CERT);
        }
        if (cert == null) {
            missing.add(NodeSecrets.CERT);
        }
        if (key == null) {
            missing.add(NodeSecrets.KEY);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the Secret " + name + " lacks " + String.join(", ", missing));
        }
        return new SecretCredentials(ca, cert, key);
    }

    private static String value(Secret secret, String key) {
        String text = null;
        Map<String, String> data = secret.getData();
        if (data != null && data.get(key) != null) {
            try {
                text = new String(Base64.getMimeDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        } else if (secret.getStringData() != null) {
            text = secret.getStringData().get(key);
        }
        return text == null || text.isBlank() ? null : text;
    }

    @Override
    public String toString() {
        return "SecretCredentials[key withheld]";
    }
}
