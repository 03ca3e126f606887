package dev.sluice.router.internal;

import dev.sluice.router.Balancing;
import dev.sluice.router.Listener;
import dev.sluice.router.ListenerOptions;
import dev.sluice.router.Mount;
import dev.sluice.router.RoutingTable;
import dev.sluice.router.TlsFiles;
import dev.sluice.router.UpstreamProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** A bound listener: its server channel, its current table, and one bootstrap per loop. */
final class ListenerImpl implements Listener {

  final RouterCore core;
  final ListenerOptions options;
  final Balancing balancing;
  final int maxRetries;
  final long idleTimeoutNanos;
  final long requestTimeoutNanos;
  final long tunnelIdleTimeoutNanos;

  /** Open tunnels (upgraded connections), one set per event loop, touched only by that loop. */
  final Set<Tunnel>[] tunnels;

  /** Passive outlier detection, or null when off. */
  final @Nullable OutlierDetector outliers;

  /** The retry budget, one allowance per event loop. */
  final RetryAllowance[] budgets;

  /** Connection limit and waiting requests per replica (0: no limit). */
  final int maxConnections;

  final int maxPending;

  /** How long a request waits for a slot (the connect timeout, as HAProxy's timeout queue). */
  final long pendingTimeoutNanos;

  /** Upstream connection factories, one per event loop, so connections stay on their loop. */
  final Bootstrap[] bootstraps;

  /** The TLS context and its reloading, or null for plain TCP. */
  final @Nullable TlsCertificates tls;

  /** Whether clients may speak HTTP/2. */
  final boolean http2;

  /** Connections to h2c replicas, or null when replicas speak HTTP/1.1. */
  final @Nullable H2UpstreamPool h2Upstreams;

  private final @Nullable ScheduledExecutorService tlsReloads;

  /** The routing of the next request: one volatile read per request, one write per update. */
  volatile MountTable routes;

  private final Channel serverChannel;
  private final ChannelGroup connections;

  @SuppressWarnings("unchecked")
  ListenerImpl(RouterCore core, ListenerOptions options) {
    this.core = core;
    this.options = options;
    this.balancing = options.balancing();
    this.maxRetries = options.maxRetries();
    this.idleTimeoutNanos = options.idleTimeout().toNanos();
    this.requestTimeoutNanos = options.requestTimeout().toNanos();
    this.tunnelIdleTimeoutNanos = options.tunnelIdleTimeout().toNanos();
    this.tunnels = new Set[core.loops.length];
    for (int i = 0; i < tunnels.length; i++) {
      tunnels[i] = new HashSet<>();
    }
    this.outliers =
        options.outlierDetection().enabled()
            ? new OutlierDetector(options.outlierDetection(), core.ticker)
            : null;
    this.budgets = new RetryAllowance[core.loops.length];
    for (int i = 0; i < budgets.length; i++) {
      budgets[i] = new RetryAllowance(options.retryBudget(), budgets.length);
    }
    this.maxConnections = options.maxConnectionsPerReplica();
    this.maxPending = options.maxPendingPerReplica();
    this.pendingTimeoutNanos = options.connectTimeout().toNanos();
    this.http2 = options.http2();
    TlsFiles tlsFiles = options.tls();
    this.tls = tlsFiles == null ? null : new TlsCertificates(tlsFiles, http2);
    this.routes = core.compile(List.of(Mount.of(options.name(), RoutingTable.EMPTY)));
    this.connections = new DefaultChannelGroup(core.loops[0]);
    int connectMillis = (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
    this.bootstraps = new Bootstrap[core.loops.length];
    for (int i = 0; i < bootstraps.length; i++) {
      HeadParser responses = core.responseParsers[i];
      bootstraps[i] =
          new Bootstrap()
              .group(core.loops[i])
              .channel(core.transport.socketChannel())
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1, connectMillis))
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      // No HTTP codec: the proxy handles HTTP/1.1 as bytes (HeadParser).
                      ch.pipeline().addLast(new UpstreamHandler(responses));
                    }
                  });
    }
    this.h2Upstreams =
        options.upstreamProtocol() == UpstreamProtocol.HTTP2
            ? new H2UpstreamPool(bootstraps, core.responseParsers)
            : null;
    ClientPipelines pipelines = new ClientPipelines(this);
    ServerBootstrap server =
        new ServerBootstrap()
            .group(core.group)
            .channel(core.transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            // The pooled allocator measured cheaper per request than 4.2's adaptive default.
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connections.add(ch);
                    pipelines.init(ch);
                  }
                });
    try {
      this.serverChannel = server.bind(options.address()).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding " + options.address(), e);
    } catch (Exception e) {
      throw new UncheckedIOException(
          new IOException(
              "listener " + options.name() + ": cannot bind " + options.address() + ": " + e, e));
    }
    if (tls != null) {
      // File reads stay off the event loops: one small thread per TLS listener.
      long every = tls.files().reloadInterval().toMillis();
      tlsReloads =
          Executors.newSingleThreadScheduledExecutor(
              new DefaultThreadFactory("sluice-tls-" + options.name(), true));
      tlsReloads.scheduleWithFixedDelay(tls::check, every, every, TimeUnit.MILLISECONDS);
    } else {
      tlsReloads = null;
    }
  }

  /** Closes this loop's h2c connections to a retired replica. Call on loop {@code loop}. */
  void retire(EndpointState e, int loop) {
    H2UpstreamPool h2 = h2Upstreams;
    if (h2 != null) {
      h2.retire(e, loop);
    }
  }

  /** Lets the tunnels of one loop see the current table (they drain when it left their replica). */
  void recheckTunnels(int loop) {
    MountTable r = routes;
    for (Tunnel t : new ArrayList<>(tunnels[loop])) {
      t.recheck(r);
    }
  }

  @Override
  public ListenerOptions options() {
    return options;
  }

  @Override
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  @Override
  public RoutingTable table() {
    for (Mount m : routes.source) {
      if (m.app().equals(options.name())) {
        return m.table();
      }
    }
    return RoutingTable.EMPTY;
  }

  @Override
  public List<Mount> mounts() {
    return routes.source;
  }

  @Override
  public void update(RoutingTable newTable) {
    Objects.requireNonNull(newTable, "table");
    core.update(this, List.of(Mount.of(options.name(), newTable)));
  }

  @Override
  public void update(List<Mount> mounts) {
    Objects.requireNonNull(mounts, "mounts");
    core.update(this, mounts);
  }

  @Override
  public void close() {
    core.remove(this);
    if (tlsReloads != null) {
      tlsReloads.shutdownNow();
    }
    serverChannel.close().syncUninterruptibly();
    connections.close().awaitUninterruptibly();
    H2UpstreamPool h2 = h2Upstreams;
    if (h2 != null) {
      for (int i = 0; i < core.loops.length; i++) {
        int loop = i;
        core.loops[i].execute(() -> h2.closeAll(loop));
      }
    }
  }
}
