package io.dpuoffload.ipc.relay;

import io.dpuoffload.ipc.wire.Records;
import io.dpuoffload.transport.TransportException;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import java.util.concurrent.CompletableFuture;

/** A relay's link over one stream: it ends with the stream, as a connection does when the channel is lost. */
public final class StreamLink implements PeerLink {
    private final ByteStream stream;
    private final RecordFeed feed;

    public StreamLink(ByteStream stream) {
        this.stream = stream;
        this.feed = new RecordFeed(ByteBufAllocator.DEFAULT);
    }

    @Override
    public IoEventLoop loop() {
        return (IoEventLoop) stream.eventLoop();
    }

    @Override
    public void start(Peer peer) {
        stream.receiveOnEventLoop(new ByteStream.Receiver() {
            @Override
            public void onData(ByteBuf data) {
                String broken = feed.feed(
                        data,
                        record -> peer.onRecord(
                                record.kind(),
                                record.payload(),
                                consumer(Records.HEADER_BYTES + record.payload().readableBytes())));
                if (broken != null) {
                    peer.onFailure(broken);
                    return;
                }
                peer.afterRecords();
            }

            @Override
            public void onEnd() {
                peer.onEnd();
            }

            @Override
            public void onFailure(TransportException cause) {
                peer.onFailure("the stream ended: " + cause.getMessage());
            }
        });
    }

    private Runnable consumer(int bytes) {
        return () -> stream.consumed(bytes);
    }

    @Override
    public CompletableFuture<Void> send(ByteBuf record) {
        return stream.write(record);
    }

    @Override
    public CompletableFuture<Void> finish() {
        stream.finish();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void cancel(String reason) {
        stream.cancel(reason);
    }

    @Override
    public void close() {
        feed.close();
        stream.close();
    }
}
