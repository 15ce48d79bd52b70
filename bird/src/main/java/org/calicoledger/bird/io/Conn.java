package org.calicoledger.bird.io;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * One BGP TCP connection (a Netty channel) as {@link Session} sees it: bytes in, bytes out, closed. Reading starts
 * only when {@link #start} has set both handlers, so no byte arrives before the session can take it. Handlers run on
 * the channel's event loop thread.
 */
final class Conn {
  private final Channel channel;
  private volatile Consumer<byte[]> onData = b -> {};
  private volatile Runnable onClose = () -> {};

  Conn(Channel channel) {
    this.channel = channel; // created with AUTO_READ off (Transport)
    channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
          byte[] b = new byte[buf.readableBytes()];
          buf.readBytes(b);
          onData.accept(b);
        } finally {
          buf.release();
        }
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        onClose.run();
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    });
  }

  /** Sets the handlers and starts reading. */
  void start(Consumer<byte[]> data, Runnable closed) {
    this.onData = data;
    this.onClose = closed;
    if (!channel.isActive()) {
      closed.run();
      return;
    }
    channel.config().setAutoRead(true);
  }

  void write(byte[] bytes) {
    channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
  }

  void close() {
    channel.close();
  }

  /** The peer's IP address as text. */
  String remoteHost() {
    return ((InetSocketAddress) channel.remoteAddress()).getAddress().getHostAddress();
  }
}
