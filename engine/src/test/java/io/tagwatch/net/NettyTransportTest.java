package io.tagwatch.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class NettyTransportTest {

    @Test
    void onLinux_theNativeEpollTransportIsUsed() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64")), "epoll is shipped for Linux x86_64 and aarch64");
        assertThat(NettyTransport.epollUnavailableCause()).isNull();
        assertThat(NettyTransport.name()).isEqualTo("epoll");
    }

    @Test
    void aSecondBindOnATakenPort_isRecognisedAsAddressInUse() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NettyTransport.ioHandlerFactory());
        try {
            ServerBootstrap b = new ServerBootstrap().group(group).channel(NettyTransport.serverSocketChannel())
                    .childHandler(new ChannelInboundHandlerAdapter());
            Channel first = b.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Throwable failure = b.bind(first.localAddress()).await().cause();
            assertThat(failure).isNotNull();
            assertThat(NettyTransport.isAddressInUse(failure)).isTrue();
            assertThat(NettyTransport.isAddressInUse(new java.io.IOException("connection reset"))).isFalse();
            first.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }
}
