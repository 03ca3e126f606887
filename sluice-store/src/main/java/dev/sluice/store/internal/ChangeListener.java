package dev.sluice.store.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's LISTEN on a connection of its own, on a thread of its own: every NOTIFY of the
 * channel goes to the listener. When the connection breaks (the database restarted, the network
 * failed) it connects again, once a second, and then tells the listener {@code *}, because
 * notifications sent meanwhile are lost.
 */
final class ChangeListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChangeListener.class);
  private static final int POLL_MILLIS = 500;
  private static final long RETRY_MILLIS = 1_000;

  /** Opens a connection. */
  interface Connector {
    Connection connect() throws SQLException;
  }

  private final Connector connector;
  private final String channel;
  private final Consumer<String> listener;
  private final String description;
  private final Thread thread;
  private volatile boolean closed;

  private ChangeListener(
      Connector connector, String channel, Consumer<String> listener, String description) {
    this.connector = connector;
    this.channel = channel;
    this.listener = listener;
    this.description = description;
    this.thread = Thread.ofPlatform().daemon().name("sluice-store-listen").unstarted(this::run);
  }

  static ChangeListener start(
      Connector connector, String channel, Consumer<String> listener, String description) {
    ChangeListener l = new ChangeListener(connector, channel, listener, description);
    l.thread.start();
    return l;
  }

  private void run() {
    boolean failed = false;
    while (!closed) {
      try (Connection c = connector.connect()) {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + channel);
        }
        if (failed) {
          log.info("listening to the {} again", description);
        }
        failed = false;
        deliver("*");
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] ns = pg.getNotifications(POLL_MILLIS);
          if (ns != null) {
            for (PGNotification n : ns) {
              deliver(n.getParameter());
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        if (!failed) {
          log.warn("cannot listen to the {}: {}; retrying", description, e.getMessage());
        }
        failed = true;
        pause();
      }
    }
  }

  private void deliver(String app) {
    try {
      listener.accept(app);
    } catch (RuntimeException e) {
      log.warn("a change listener failed: {}", e.toString());
    }
  }

  private void pause() {
    synchronized (this) {
      if (!closed) {
        try {
          wait(RETRY_MILLIS); // woken by close
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          closed = true;
        }
      }
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    try {
      thread.join(POLL_MILLIS * 4L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
