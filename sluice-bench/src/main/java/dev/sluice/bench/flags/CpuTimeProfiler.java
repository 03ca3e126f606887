package dev.sluice.bench.flags;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports CPU time per operation next to JMH's wall-clock time: {@code
 * cpu.thread} (CPU time of the benchmark's worker threads) and {@code cpu.process} (of the whole
 * JVM: JIT, GC and the providers' background threads too), each divided by the operations of the
 * iteration.
 *
 * <p>Why: on a machine shared with other builds (load far above the number of cores), the benchmark
 * thread waits for a core for part of every iteration, and wall-clock time per operation grows with
 * the load; CPU time counts only the time the thread ran. It does not remove every effect of
 * sharing (caches are cold more often), so compare figures from the same run.
 *
 * <p>{@code java -cp ... org.openjdk.jmh.Main FlagEvaluationBench -prof
 * dev.sluice.bench.flags.CpuTimeProfiler}
 */
public final class CpuTimeProfiler implements InternalProfiler {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private Map<Long, Long> workersBefore = Map.of();
  private long processBefore;

  @Override
  public String getDescription() {
    return "CPU time per operation: the benchmark threads' and the whole JVM's";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    workersBefore = workerCpu();
    processBefore = OS.getProcessCpuTime();
  }

  @Override
  public List<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long process = OS.getProcessCpuTime() - processBefore;
    long thread = 0;
    for (Map.Entry<Long, Long> w : workerCpu().entrySet()) {
      // a worker started during the iteration had used no CPU time before it
      thread += w.getValue() - workersBefore.getOrDefault(w.getKey(), 0L);
    }
    double ops = result.getMetadata().getAllOps();
    if (ops <= 0) {
      return List.of();
    }
    return List.of(
        new ScalarResult("cpu.thread", thread / ops, "ns/op", AggregationPolicy.AVG),
        new ScalarResult("cpu.process", process / ops, "ns/op", AggregationPolicy.AVG));
  }

  /** CPU nanoseconds used so far by each of JMH's worker threads, by thread id. */
  private static Map<Long, Long> workerCpu() {
    Map<Long, Long> out = new HashMap<>();
    for (ThreadInfo t : THREADS.dumpAllThreads(false, false, 0)) {
      if (t != null && t.getThreadName().contains("-jmh-worker-")) {
        long cpu = THREADS.getThreadCpuTime(t.getThreadId());
        if (cpu >= 0) {
          out.put(t.getThreadId(), cpu);
        }
      }
    }
    return out;
  }
}
