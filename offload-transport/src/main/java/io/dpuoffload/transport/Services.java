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
    private final Map<Integer, AsyncRequestHandler> asyncRequests;
    private final Map<Integer, StreamHandler> streams;

    private Services(
            Map<Integer, RequestHandler> requests,
            Map<Integer, AsyncRequestHandler> asyncRequests,
            Map<Integer, StreamHandler> streams) {
        this.requests = Map.copyOf(requests);
        this.asyncRequests = Map.copyOf(asyncRequests);
        this.streams = Map.copyOf(streams);
    }

    public Optional<RequestHandler> requestHandler(int service) {
        return Optional.ofNullable(requests.get(service));
    }

    public Optional<AsyncRequestHandler> asyncRequestHandler(int service) {
        return Optional.ofNullable(asyncRequests.get(service));
    }

    public Optional<StreamHandler> streamHandler(int service) {
        return Optional.ofNullable(streams.get(service));
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<Integer, RequestHandler> requests = new HashMap<>();
        private final Map<Integer, AsyncRequestHandler> asyncRequests = new HashMap<>();
        private final Map<Integer, StreamHandler> streams = new HashMap<>();

        /** A handler that may block: it runs on the handler executor (virtual threads by default). */
        public Builder onRequest(int service, RequestHandler handler) {
            check(service, taken(service));
            requests.put(service, handler);
            return this;
        }

        /** A handler called on the event loop, which must not block: see {@link AsyncRequestHandler}. */
        public Builder onRequestAsync(int service, AsyncRequestHandler handler) {
            check(service, taken(service));
            asyncRequests.put(service, handler);
            return this;
        }

        private boolean taken(int service) {
            return requests.containsKey(service) || asyncRequests.containsKey(service);
        }

        public Builder onStream(int service, StreamHandler handler) {
            check(service, streams.containsKey(service));
            streams.put(service, handler);
            return this;
        }

        public Services build() {
            return new Services(requests, asyncRequests, streams);
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
