package io.dpuoffload.topology;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Test main started on a node: {@code EchoServer ADDRESS PORT} accepts one connection, answers one line with
 * {@code echo: LINE}, says who connected, and waits for the next connection until stopped.
 */
public final class EchoServer {

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("echo server stopping")));
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])));
            System.out.println("listening on " + args[0] + ":" + args[1]);
            while (true) {
                try (Socket socket = server.accept();
                        var in = new BufferedReader(
                                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                        var out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8)) {
                    out.println("echo: " + in.readLine());
                    System.out.println("answered " + socket.getInetAddress().getHostAddress());
                }
            }
        }
    }
}
