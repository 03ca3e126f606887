package dev.sluice.flags;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The current {@link FlagSet}, swapped as a whole with one atomic write: a reader sees the old set
 * or the new one, never a mix. Shared by the server and the OpenFeature provider; an {@link
 * FlagEvaluator} built over it always evaluates the current set.
 *
 * <pre>{@code
 * FlagSetHolder holder = FlagSetHolder.of(FlagSet.empty());
 * holder.subscribe(change -> log(change.changedKeys()));
 * holder.set(FlagSet.parse(newJson)); // parse failures throw before anything changes
 * }</pre>
 *
 * <p>Listeners run on the thread that swapped, after the swap, in subscription order; a listener
 * that throws is logged and does not stop the others. Thread-safe.
 */
public final class FlagSetHolder implements Supplier<FlagSet> {
  private static final System.Logger LOG = System.getLogger(FlagSetHolder.class.getName());

  private final AtomicReference<FlagSet> current;
  private final List<Consumer<FlagSetChange>> listeners = new CopyOnWriteArrayList<>();

  private FlagSetHolder(FlagSet initial) {
    this.current = new AtomicReference<>(initial);
  }

  /** A holder whose current set is {@code initial}. */
  public static FlagSetHolder of(FlagSet initial) {
    return new FlagSetHolder(initial);
  }

  /** The current set. */
  @Override
  public FlagSet get() {
    return current.get();
  }

  /** Makes {@code next} current and returns the set it replaced. */
  public FlagSet set(FlagSet next) {
    FlagSet previous = current.getAndSet(next);
    notify(previous, next);
    return previous;
  }

  /** Makes {@code next} current only if {@code expected} still is; true when it did. */
  public boolean compareAndSet(FlagSet expected, FlagSet next) {
    if (!current.compareAndSet(expected, next)) {
      return false;
    }
    notify(expected, next);
    return true;
  }

  /**
   * Replaces the current set with {@code update} applied to it, retrying on races; returns the new
   * set.
   */
  public FlagSet update(UnaryOperator<FlagSet> update) {
    while (true) {
      FlagSet previous = current.get();
      FlagSet next = update.apply(previous);
      if (current.compareAndSet(previous, next)) {
        notify(previous, next);
        return next;
      }
    }
  }

  /** Calls {@code listener} after every swap; close the returned handle to stop. */
  public AutoCloseable subscribe(Consumer<FlagSetChange> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void notify(FlagSet previous, FlagSet next) {
    if (listeners.isEmpty() || previous == next) {
      return;
    }
    FlagSetChange change = new FlagSetChange(previous, next, next.changedKeys(previous));
    for (Consumer<FlagSetChange> listener : listeners) {
      try {
        listener.accept(change);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "flag set listener " + listener + " failed", e);
      }
    }
  }
}
