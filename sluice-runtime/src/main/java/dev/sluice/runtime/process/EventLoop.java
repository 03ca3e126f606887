package dev.sluice.runtime.process;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a supervisor's state: runs tasks handed to it, timers, and callbacks of
 * exiting processes, one at a time.
 *
 * <p>A call from the loop's own thread (a listener calling back into the supervisor) runs inline
 * instead of waiting for itself. Every task is guarded: an exception is logged, never allowed to
 * cancel a periodic task silently.
 */
final class EventLoop {
  private static final Logger log = LoggerFactory.getLogger(ProcessSupervisor.class);

  private final ScheduledThreadPoolExecutor executor;
  private volatile @Nullable Thread thread;

  EventLoop(String name) {
    executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true); // replicas outlive the JVM by design; so must not the loop
              thread = t;
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Runs {@code task} on the loop and returns its result, rethrowing what it throws. */
  <T> T call(Callable<T> task) {
    if (inLoop()) {
      try {
        return task.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    Future<T> future = executor.submit(task);
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the supervisor", e);
    }
  }

  Future<?> schedule(Runnable task, Duration delay) {
    return executor.schedule(() -> guard(task), delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  Future<?> every(Runnable task, Duration period) {
    long nanos = period.toNanos();
    return executor.scheduleWithFixedDelay(() -> guard(task), nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** The loop as an executor, for {@code whenCompleteAsync}; wrap the action in {@link #guard}. */
  Executor executor() {
    return executor;
  }

  /** Runs {@code task}, logging what it throws. */
  void guard(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      log.error("supervisor task failed", e);
    }
  }

  void shutdown() {
    executor.shutdownNow();
  }
}
