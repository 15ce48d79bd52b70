package org.calicoledger.bird.io;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The speaker's TCP side on Netty: one listener on {@code bindAddress:port} and outgoing connections from
 * {@code bindAddress}, all with TCP_NODELAY. On Linux it uses the epoll transport, which can sign segments with TCP
 * MD5 (RFC 2385, {@code TCP_MD5SIG}): {@link #setListenerKeys} installs the keys of every peer with a password on the
 * listener, and {@link #connect} sets the peer's key on the connecting socket before it connects. Peers without a
 * password are unaffected (the kernel checks signatures only for addresses with a key). Without epoll (not Linux
 * x86_64) it falls back to NIO and refuses passwords with an error naming the peer.
 */
final class Transport implements AutoCloseable {
  /** Linux's TCP_MD5SIG_MAXKEYLEN. */
  static final int MAX_KEY_BYTES = 80;
  private final boolean epoll = Epoll.isAvailable();
  private final EventLoopGroup group;
  private final String bindAddress;
  private final Channel server;

  Transport(String bindAddress, int port, Consumer<Conn> accept) throws Exception {
    this.bindAddress = bindAddress;
    this.group = new MultiThreadIoEventLoopGroup(2, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    try {
      this.server = new ServerBootstrap().group(group)
          .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
          .childOption(ChannelOption.TCP_NODELAY, true).childOption(ChannelOption.AUTO_READ, false)
          .childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
              accept.accept(new Conn(ch));
            }
          }).bind(new InetSocketAddress(InetAddress.getByName(bindAddress), port)).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Why MD5 cannot be used here, or null when it can. */
  String md5Unavailable() {
    return epoll ? null : "TCP MD5 needs Netty's epoll transport, unavailable here: " + Epoll.unavailabilityCause();
  }

  /** A password as the kernel's key: its UTF-8 bytes, at most 80. */
  static byte[] key(PeerConfig peer) {
    byte[] k = peer.password().getBytes(StandardCharsets.UTF_8);
    if (k.length == 0 || k.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("BGP peer " + peer.display() + ": password of " + k.length
          + " bytes; TCP MD5 allows 1 to " + MAX_KEY_BYTES);
    }
    return k;
  }

  /** Replaces the listener's MD5 keys (peer address to key); an empty map removes them all. */
  void setListenerKeys(Map<InetAddress, byte[]> keys) {
    if (!epoll) {
      if (!keys.isEmpty()) {
        throw new IllegalStateException(md5Unavailable());
      }
      return;
    }
    server.config().setOption(EpollChannelOption.TCP_MD5SIG, keys);
  }

  /** Connects to {@code host:port} (signed with {@code md5Key} unless null); {@code done} gets the Conn or why not. */
  void connect(String host, int port, byte[] md5Key, int timeoutMs, BiConsumer<Conn, Throwable> done) {
    InetAddress peer;
    try {
      peer = InetAddress.getByName(host);
    } catch (Exception e) {
      done.accept(null, e);
      return;
    }
    Bootstrap b = new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMs)
        .option(ChannelOption.AUTO_READ, false)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {}
        });
    if (md5Key != null) {
      if (!epoll) {
        done.accept(null, new IllegalStateException(md5Unavailable()));
        return;
      }
      b.option(EpollChannelOption.TCP_MD5SIG, Map.of(peer, md5Key));
    }
    ChannelFuture f;
    try {
      f = b.connect(new InetSocketAddress(peer, port), new InetSocketAddress(InetAddress.getByName(bindAddress), 0));
    } catch (Exception e) {
      done.accept(null, e);
      return;
    }
    f.addListener(r -> {
      if (r.isSuccess()) {
        done.accept(new Conn(f.channel()), null);
      } else {
        done.accept(null, r.cause());
      }
    });
  }

  @Override
  public void close() {
    try {
      server.close().await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
