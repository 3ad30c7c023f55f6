package io.tagwatch.mqtt;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.micrometer.core.instrument.Counter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First in every pipeline: refuses a TCP connection beyond the total or the per-source-address
 * limit by closing it at once, before any MQTT is spoken. Counted and logged (the first refusal
 * and then every 1,000th, so a flood does not flood the log). Shared by all channels; thread-safe.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final Counter refusedTotal;
    private final Counter refusedPerAddress;
    private final AtomicLong refusals = new AtomicLong();

    ConnectionLimiter(int maxTotal, int maxPerAddress, Counter refusedTotal, Counter refusedPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
        this.refusedTotal = refusedTotal;
        this.refusedPerAddress = refusedPerAddress;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        InetAddress address = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        int now = total.incrementAndGet();
        int fromAddress = perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        ctx.channel().closeFuture().addListener(f -> release(address));
        if (now > maxTotal) {
            refuse(ctx, refusedTotal, "total connections " + now + " over the limit of " + maxTotal);
            return;
        }
        if (fromAddress > maxPerAddress) {
            refuse(ctx, refusedPerAddress, "connections from " + address.getHostAddress() + " over the limit of " + maxPerAddress);
            return;
        }
        super.channelActive(ctx);
    }

    private void refuse(ChannelHandlerContext ctx, Counter counter, String why) {
        counter.increment();
        long n = refusals.incrementAndGet();
        if (n == 1 || n % 1000 == 0) {
            log.warn("connection refused ({} so far): {}", n, why);
        }
        ctx.close();
    }

    private void release(InetAddress address) {
        total.decrementAndGet();
        AtomicInteger c = perAddress.get(address);
        if (c != null && c.decrementAndGet() <= 0) {
            perAddress.remove(address, c);
        }
    }

    int total() {
        return total.get();
    }
}
