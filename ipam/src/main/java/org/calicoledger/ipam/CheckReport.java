package org.calicoledger.ipam;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The machine-readable result of {@code calicoctl ipam check -o FILE}: Calico's report ({@code version},
 * {@code clusterGUID}, {@code datastoreLocked}, {@code clusterInformationRevision}, {@code clusterType},
 * {@code allocations} by IP, {@code leakedHandles}) so that tools reading Calico's reports read this one, plus the
 * problems this project also looks for, each with the revision it was seen at so that a repair only touches what has
 * not changed since.
 *
 * @param allocations every allocation, by IP; {@code inUse} false means no workload endpoint or node uses it
 * @param leakedHandles handles that no block allocation carries
 * @param missingHandles handles that block allocations carry but that do not exist (a writer died between the block
 *     write and the handle write)
 * @param handleMismatches handles whose count for a block differs from the allocations the block holds for them
 * @param blocksWithoutNode blocks affine to a node that has no Node resource
 * @param staleAffinities affinities whose block is missing or affine to another node
 * @param inUseNotAllocated addresses in an active pool that a workload or node uses but IPAM has not allocated
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckReport(
    String version,
    String clusterGUID,
    boolean datastoreLocked,
    @JsonProperty("clusterInformationRevision") String clusterInformationRevision,
    String clusterType,
    long ipamRevision,
    Map<String, List<Entry>> allocations,
    List<HandleInfo> leakedHandles,
    List<MissingHandle> missingHandles,
    List<HandleMismatch> handleMismatches,
    List<BlockWithoutNode> blocksWithoutNode,
    List<StaleAffinity> staleAffinities,
    List<String> inUseNotAllocated,
    Stats stats) {

  public CheckReport {
    allocations = allocations == null ? Map.of() : new TreeMap<>(allocations);
    leakedHandles = leakedHandles == null ? List.of() : List.copyOf(leakedHandles);
    missingHandles = missingHandles == null ? List.of() : List.copyOf(missingHandles);
    handleMismatches = handleMismatches == null ? List.of() : List.copyOf(handleMismatches);
    blocksWithoutNode = blocksWithoutNode == null ? List.of() : List.copyOf(blocksWithoutNode);
    staleAffinities = staleAffinities == null ? List.of() : List.copyOf(staleAffinities);
    inUseNotAllocated = inUseNotAllocated == null ? List.of() : List.copyOf(inUseNotAllocated);
    stats = stats == null ? new Stats(0, 0, 0, 0, 0, 0, Map.of()) : stats;
  }

  /** What was read, for the check's text output. */
  public record Stats(int blocks, int activePools, int nodeIps, int workloadIps, int inUseIps, int handles,
      Map<String, Integer> allocationsByNode) {}

  /** One allocation, with Calico's field names; {@code block} and {@code handleMissing} are ours. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Entry(String ip, String block, String handle, BigInteger sequenceNumber, String pod, String namespace,
      String node, String type, String creationTimestamp, @JsonInclude(JsonInclude.Include.ALWAYS) boolean inUse,
      boolean borrowed, @JsonInclude(JsonInclude.Include.ALWAYS) List<String> owners, boolean handleMissing) {}

  /** Calico's {@code HandleInfo} (Go field names, no JSON tags): a handle and the revision it was seen at. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record HandleInfo(@JsonProperty("ID") String id, @JsonProperty("UID") String uid,
      @JsonProperty("Revision") String revision) {}

  public record MissingHandle(String handle, Map<String, Integer> blocks) {}

  public record HandleMismatch(String handle, String block, int inBlock, int inHandle, String revision) {}

  public record BlockWithoutNode(String block, String node, int inUse, String revision) {}

  public record StaleAffinity(String node, String block, String state, String reason, String revision) {}

  /** Allocations that nothing uses: what {@code release --from-report} frees. */
  public List<Entry> leaked() {
    return allocations.values().stream().flatMap(List::stream).filter(e -> !e.inUse()).toList();
  }

  public List<Entry> withMissingHandle() {
    return allocations.values().stream().flatMap(List::stream).filter(Entry::handleMissing).toList();
  }

  public int allocationCount() {
    return allocations.values().stream().mapToInt(List::size).sum();
  }

  /** Everything this report counts as a problem. */
  public int problems() {
    return leaked().size() + leakedHandles.size() + missingHandles.size() + handleMismatches.size()
        + blocksWithoutNode.size() + staleAffinities.size() + inUseNotAllocated.size();
  }

  /**
   * What several reports, made at different times, agree on: an allocation, handle or affinity is kept only if every
   * report lists it identically (Calico's {@code --from-report} given several files does the same for leaked IPs and
   * handles, so that something only transiently unused is not released).
   */
  public static CheckReport intersect(List<CheckReport> reports) {
    CheckReport first = reports.get(0);
    Map<String, List<Entry>> allocs = new TreeMap<>();
    first.allocations.forEach((ip, entries) -> {
      if (reports.stream().allMatch(r -> entries.equals(r.allocations.get(ip)))) {
        allocs.put(ip, entries);
      }
    });
    return new CheckReport(first.version, first.clusterGUID, first.datastoreLocked, first.clusterInformationRevision,
        first.clusterType, first.ipamRevision, allocs, common(reports, CheckReport::leakedHandles),
        common(reports, CheckReport::missingHandles), common(reports, CheckReport::handleMismatches),
        common(reports, CheckReport::blocksWithoutNode), common(reports, CheckReport::staleAffinities),
        common(reports, CheckReport::inUseNotAllocated), first.stats);
  }

  private static <T> List<T> common(List<CheckReport> reports, java.util.function.Function<CheckReport, List<T>> f) {
    return f.apply(reports.get(0)).stream().filter(x -> reports.stream().allMatch(r -> f.apply(r).contains(x))).toList();
  }

  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  public String toJson() {
    try {
      return JSON.writeValueAsString(this) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static CheckReport parse(String json, String source) {
    try {
      return JSON.readValue(json, CheckReport.class);
    } catch (IOException e) {
      String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new IllegalArgumentException("cannot read the IPAM report " + source + ": " + m, e);
    }
  }
}
