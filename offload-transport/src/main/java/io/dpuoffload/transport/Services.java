package io.dpuoffload.transport;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The handlers a side offers to its peer, by service number. Immutable once built. */
public final class Services {
    /** Service numbers are 16-bit on the wire. */
    public static final int MAX_SERVICE = 0xFFFF;

    public static final Services NONE = builder().build();

    private final Map<Integer, RequestHandler> requests;
    private final Map<Integer, StreamHandler> streams;

    private Services(Map<Integer, RequestHandler> requests, Map<Integer, StreamHandler> streams) {
        this.requests = Map.copyOf(requests);
        this.streams = Map.copyOf(streams);
    }

    public Optional<RequestHandler> requestHandler(int service) {
        return Optional.ofNullable(requests.get(service));
    }

    public Optional<StreamHandler> streamHandler(int service) {
        return Optional.ofNullable(streams.get(service));
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<Integer, RequestHandler> requests = new HashMap<>();
        private final Map<Integer, StreamHandler> streams = new HashMap<>();

        public Builder onRequest(int service, RequestHandler handler) {
            check(service, requests.containsKey(service));
            requests.put(service, handler);
            return this;
        }

        public Builder onStream(int service, StreamHandler handler) {
            check(service, streams.containsKey(service));
            streams.put(service, handler);
            return this;
        }

        public Services build() {
            return new Services(requests, streams);
        }

        private static void check(int service, boolean taken) {
            if (service < 0 || service > MAX_SERVICE) {
                throw new IllegalArgumentException("service " + service + " is outside 0.." + MAX_SERVICE);
            }
            if (taken) {
                throw new IllegalArgumentException("service " + service + " already has a handler");
            }
        }
    }
}
