package io.tagwatch.net;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Errors;
import java.net.BindException;

/**
 * The one place that says which Netty transport every socket of the node (MQTT, HTTP, the match
 * thread's subscribers' loop) and of the benchmarks' clients uses: Linux's native epoll when its
 * library loads (netty-all ships it for x86_64 and aarch64), Java NIO otherwise. Epoll costs fewer
 * system calls and no selected-key set per wake-up (benchmarks/RESULTS.md, session 9). All loops
 * of one process use the same transport, since a channel moves between them (an officer's
 * connection to the match thread's loop). {@code -Dio.netty.transport.noNative=true} forces NIO.
 */
public final class NettyTransport {
    private static final boolean EPOLL = Epoll.isAvailable();
    /** Linux's EADDRINUSE, as the native transport reports it (negated); epoll exists only on Linux. */
    private static final int EADDRINUSE_NEGATIVE = -98;

    private NettyTransport() {
    }

    /** "epoll" or "nio", for the start-up log. */
    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }

    /** Why epoll is not in use, or null when it is. */
    public static Throwable epollUnavailableCause() {
        return Epoll.unavailabilityCause();
    }

    public static IoHandlerFactory ioHandlerFactory() {
        return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    public static Class<? extends ServerSocketChannel> serverSocketChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends SocketChannel> socketChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Whether a failed bind means the port is taken: NIO throws {@link BindException}, epoll its
     * own exception carrying the errno.
     */
    public static boolean isAddressInUse(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BindException
                    || t instanceof Errors.NativeIoException n && n.expectedErr() == EADDRINUSE_NEGATIVE) {
                return true;
            }
        }
        return false;
    }
}
