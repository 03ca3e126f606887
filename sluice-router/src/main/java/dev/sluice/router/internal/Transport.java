package dev.sluice.router.internal;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

/**
 * The socket transport: io_uring when the kernel allows it (its system calls are batched through
 * shared rings: about 10 % less CPU per proxied request than epoll, docs/benchmarks.md), else
 * native epoll, else the JDK's NIO. {@code -Dsluice.router.transport=epoll} or {@code =nio} (or the
 * older {@code -Dsluice.router.nio=true}) asks for one; a transport that cannot start falls back to
 * the next.
 */
record Transport(
    String name,
    IoHandlerFactory ioHandlers,
    Class<? extends ServerChannel> serverChannel,
    Class<? extends Channel> socketChannel) {

  static Transport best() {
    String asked = System.getProperty("sluice.router.transport", "");
    boolean nio = Boolean.getBoolean("sluice.router.nio") || asked.equals("nio");
    if (!nio && !asked.equals("epoll") && IoUring.isAvailable()) {
      return new Transport(
          "io_uring",
          IoUringIoHandler.newFactory(),
          IoUringServerSocketChannel.class,
          IoUringSocketChannel.class);
    }
    if (!nio && Epoll.isAvailable()) {
      return new Transport(
          "epoll",
          EpollIoHandler.newFactory(),
          EpollServerSocketChannel.class,
          EpollSocketChannel.class);
    }
    return new Transport(
        "nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }
}
