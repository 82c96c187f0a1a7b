package io.dpuoffload.topology;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Test main started on a node: {@code EchoClient ADDRESS PORT MESSAGE} sends one line and prints the answer. */
public final class EchoClient {

    /** The peer is already listening when this starts; anything slower than this is a broken topology. */
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    public static void main(String[] args) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(CONNECT_TIMEOUT_MILLIS);
            var out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out.println(args[2]);
            System.out.println("reply: " + in.readLine() + " (from "
                    + socket.getLocalAddress().getHostAddress() + ")");
        }
    }
}
