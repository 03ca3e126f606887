package dev.sluice.flags.internal.flagd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.internal.logic.Compiler;
import dev.sluice.flags.internal.logic.Frame;
import dev.sluice.flags.internal.logic.Node;
import dev.sluice.flags.internal.logic.Nodes;
import dev.sluice.flags.internal.logic.Path;
import dev.sluice.flags.internal.logic.RuleFailure;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * flagd's {@code fractional} operation: deterministic, pseudorandom assignment of subjects to
 * weighted buckets, bit-compatible with flagd 0.15 and later ({@code core/pkg/evaluator/
 * fractional.go}) and the flagd-testbed "fractional-v2" vectors.
 *
 * <pre>{@code
 * {"fractional": [ {"var": "email"},  ["on", 10], ["off", 90] ]}   // bucket by email
 * {"fractional": [ ["on", 10], ["off", 90] ]}                     // bucket by flag key + targeting key
 * }</pre>
 *
 * <p>How a subject is bucketed, following flagd:
 *
 * <ol>
 *   <li>The bucketing value is the first argument when it evaluates to a string. When it is an
 *       array (a distribution) or evaluates to null (say, a missing attribute), the value is the
 *       flag key immediately followed by the targeting key, with no separator. Without a targeting
 *       key the evaluation fails with TARGETING_KEY_MISSING (flagd quietly serves the default
 *       variant there; OpenFeature has an error code for exactly this case). Any other value (a
 *       number, say) is invalid input.
 *   <li>The value is hashed with MurmurHash3 x86 32-bit, seed 0, over its UTF-8 bytes.
 *   <li>The unsigned hash is scaled to the total weight: {@code bucket = (hash * total) >>> 32},
 *       which maps the 2^32 hash values onto {@code 0..total-1} in proportion, with no modulo bias.
 *   <li>Variants take consecutive ranges of buckets in the order written, each as wide as its
 *       integer weight (1 when omitted or null).
 * </ol>
 *
 * <p>A variant may be a string, boolean, number or null (the last serves the default variant for
 * its share) or an expression giving one; weights may be expressions too. Weights must be whole
 * numbers from 0 to 2^31-1 and add up to at most 2^31-1; a total of 0, a negative or fractional
 * weight, or a variant of another type is invalid input (the flag then serves its default variant,
 * as flagd does since 0.15's "return null on errors" change). When literal weights break these
 * rules the flag set is rejected at load time instead.
 */
public final class Fractional extends Node {
  private static final Node ONE = Nodes.constant(1.0);
  private static final int MAX_WEIGHT = Integer.MAX_VALUE;

  private final @Nullable Node bucketBy;
  private final Node[] variants;
  private final Node[] weights;
  // Precomputed when every variant and weight is a literal: the common case, with no boxing.
  private final @Nullable Object @Nullable [] fixedVariants;
  private final int @Nullable [] fixedEnds;
  private final int fixedTotal;

  private Fractional(@Nullable Node bucketBy, Node[] variants, Node[] weights) {
    this.bucketBy = bucketBy;
    this.variants = variants;
    this.weights = weights;
    boolean fixed = true;
    long total = 0;
    int[] ends = new int[variants.length];
    for (int i = 0; i < variants.length; i++) {
      fixed &= variants[i].isConstant() && weights[i].isConstant();
      if (fixed) {
        long w = validWeight(Nodes.valueOf(weights[i]));
        fixed = w >= 0 && (total += w) <= MAX_WEIGHT;
        ends[i] = (int) total;
      }
    }
    fixed &= total > 0;
    if (fixed) {
      Object[] values = new Object[variants.length];
      for (int i = 0; i < variants.length; i++) {
        values[i] = Nodes.valueOf(variants[i]);
      }
      this.fixedVariants = values;
      this.fixedEnds = ends;
      this.fixedTotal = (int) total;
    } else {
      this.fixedVariants = null;
      this.fixedEnds = null;
      this.fixedTotal = 0;
    }
  }

  /** Maps a 32-bit hash onto {@code 0..totalWeight-1}: {@code (unsigned hash * total) >>> 32}. */
  public static int bucket(int hash, int totalWeight) {
    return (int) ((Integer.toUnsignedLong(hash) * totalWeight) >>> 32);
  }

  @Override
  public @Nullable Object eval(Frame frame) {
    int hash = hash(frame);
    Object chosen;
    if (fixedEnds != null && fixedVariants != null) {
      int bucket = bucket(hash, fixedTotal);
      int i = 0;
      while (bucket >= fixedEnds[i]) {
        i++;
      }
      chosen = fixedVariants[i];
    } else {
      chosen = evalDynamic(frame, hash);
    }
    if (chosen != null) {
      frame.markSplit();
    }
    return chosen;
  }

  private int hash(Frame frame) {
    if (bucketBy != null) {
      Object value = bucketBy.eval(frame);
      if (value instanceof String s) {
        return Murmur3.hash(s);
      }
      if (value != null) {
        throw RuleFailure.INVALID_INPUT;
      }
    }
    String targetingKey = frame.context().targetingKey();
    if (targetingKey == null) {
      throw RuleFailure.TARGETING_KEY_MISSING;
    }
    return Murmur3.hash(frame.flagKey(), targetingKey);
  }

  private @Nullable Object evalDynamic(Frame frame, int hash) {
    int n = variants.length;
    Object[] values = new Object[n];
    long[] ends = new long[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      Object v = variants[i].eval(frame);
      if (v != null
          && !(v instanceof String)
          && !(v instanceof Boolean)
          && !(v instanceof Double)) {
        throw RuleFailure.INVALID_INPUT;
      }
      long w = validWeight(weights[i].eval(frame));
      if (w < 0) {
        throw RuleFailure.INVALID_INPUT;
      }
      total += w;
      values[i] = v;
      ends[i] = total;
    }
    if (total == 0 || total > MAX_WEIGHT) {
      throw RuleFailure.INVALID_INPUT;
    }
    int bucket = bucket(hash, (int) total);
    int i = 0;
    while (bucket >= ends[i]) {
      i++;
    }
    return values[i];
  }

  /** The weight as a whole number, 1 for null, or -1 when it is not a valid weight. */
  private static long validWeight(@Nullable Object weight) {
    if (weight == null) {
      return 1;
    }
    if (weight instanceof Double d && d == Math.rint(d) && d >= 0 && d <= MAX_WEIGHT) {
      return d.longValue();
    }
    return -1;
  }

  /** Compiles {@code {"fractional": [...]}}, reporting malformed distributions and weights. */
  static Node compile(Compiler c, List<JsonNode> args, Path path, boolean result) {
    if (!c.arity(args, path, 1, Integer.MAX_VALUE)) {
      return Nodes.constant(null);
    }
    int first = 0;
    Node bucketBy = null;
    JsonNode head = args.get(0);
    if (!head.isArray()) {
      Path headPath = Compiler.argPath(path, args, 0);
      if (head.isTextual() || head.isNull() || head.isObject()) {
        bucketBy = c.compile(head, headPath, false);
      } else {
        c.problems()
            .add(
                headPath,
                head,
                "a bucketing value such as {\"var\": \"email\"}, or a [variant, weight] array");
      }
      first = 1;
      if (args.size() < 2) {
        c.problems().add(path, "no variants", "at least one [variant, weight] array");
        return Nodes.constant(null);
      }
    }
    List<Node> variants = new ArrayList<>();
    List<Node> weights = new ArrayList<>();
    long total = 0;
    boolean allLiteral = true;
    for (int i = first; i < args.size(); i++) {
      JsonNode entry = args.get(i);
      Path entryPath = Compiler.argPath(path, args, i);
      if (!entry.isArray() || entry.isEmpty() || entry.size() > 2) {
        c.problems().add(entryPath, entry, "a [variant, weight] array");
        continue;
      }
      JsonNode variant = entry.get(0);
      if (variant.isArray() || (variant.isObject() && variant.size() != 1)) {
        c.problems().add(entryPath.index(0), variant, "a variant name or an expression giving one");
        continue;
      }
      variants.add(c.compile(variant, entryPath.index(0), result));
      JsonNode weight = entry.size() == 2 ? entry.get(1) : null;
      if (weight == null || weight.isNull()) {
        weights.add(ONE);
        total += 1;
      } else if (weight.isObject()) {
        weights.add(c.compile(weight, entryPath.index(1), false));
        allLiteral = false;
      } else if (weight.isNumber()
          && weight.doubleValue() == Math.rint(weight.doubleValue())
          && weight.doubleValue() >= 0
          && weight.doubleValue() <= MAX_WEIGHT) {
        weights.add(Nodes.constant(weight.doubleValue()));
        total += weight.longValue();
      } else {
        c.problems().add(entryPath.index(1), weight, "a whole number from 0 to " + MAX_WEIGHT);
        weights.add(ONE);
      }
    }
    if (total > MAX_WEIGHT) {
      c.problems().add(path, "weights adding up to " + total, "a total of at most " + MAX_WEIGHT);
    } else if (allLiteral && total == 0 && !variants.isEmpty()) {
      c.problems().add(path, "weights adding up to 0", "a total above 0");
    }
    return new Fractional(bucketBy, variants.toArray(new Node[0]), weights.toArray(new Node[0]));
  }
}
