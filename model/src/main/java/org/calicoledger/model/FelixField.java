package org.calicoledger.model;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The table of FelixConfiguration fields: JSON name and value type, one entry per field, from Calico's
 * {@code FelixConfigurationSpec}. Validation checks each field of a document against its entry.
 */
public record FelixField(String name, Type type, List<String> allowed) {

  /** JSON value types. ENUM values are listed in {@code allowed}; DURATION is Go duration text. */
  public enum Type { BOOL, INT, STRING, DURATION, ENUM, LIST, OBJECT, PORT }

  // name:type, where type is b, i, s, d, l (list), o (object), p (port: number or "a:b") or e=A|B|C.
  private static final String TABLE = """
      nodeSelector:s useInternalDataplaneDriver:b dataplaneDriver:s dataplaneWatchdogTimeout:d ipv6Support:b
      routeRefreshInterval:d interfaceRefreshInterval:d iptablesRefreshInterval:d iptablesPostWriteCheckInterval:d
      iptablesLockProbeInterval:d iptablesLockFilePath:s iptablesLockTimeout:d featureDetectOverride:s featureGates:s
      ipsetsRefreshInterval:d maxIpsetSize:i iptablesBackend:e=Legacy|NFT|Auto|legacy|nft|auto xdpRefreshInterval:d
      netlinkTimeout:d metadataAddr:s metadataPort:i openstackRegion:s interfacePrefix:s interfaceExclude:s
      chainInsertMode:e=Insert|Append defaultEndpointToHostAction:e=Drop|Accept|Return
      iptablesFilterAllowAction:e=Accept|Return iptablesMangleAllowAction:e=Accept|Return
      iptablesFilterDenyAction:e=Drop|Reject logPrefix:s logActionRateLimit:s logActionRateLimitBurst:i logFilePath:s
      logSeverityFile:s logSeverityScreen:s logSeveritySys:s logDebugFilenameRegex:s ipipEnabled:b ipipMTU:i
      vxlanEnabled:b vxlanMTU:i vxlanMTUV6:i vxlanPort:i vxlanVNI:i allowVXLANPacketsFromWorkloads:b
      allowIPIPPacketsFromWorkloads:b reportingInterval:d reportingTTL:d endpointReportingEnabled:b
      endpointReportingDelay:d endpointStatusPathPrefix:s iptablesMarkMask:i disableConntrackInvalidCheck:b
      healthEnabled:b healthHost:s healthPort:i healthTimeoutOverrides:l prometheusMetricsEnabled:b
      prometheusMetricsHost:s prometheusMetricsPort:i prometheusGoMetricsEnabled:b prometheusProcessMetricsEnabled:b
      prometheusWireGuardMetricsEnabled:b prometheusMetricsCAFile:s prometheusMetricsCertFile:s
      prometheusMetricsKeyFile:s prometheusMetricsClientAuth:s failsafeInboundHostPorts:l failsafeOutboundHostPorts:l
      kubeNodePortRanges:l policySyncPathPrefix:s usageReportingEnabled:b usageReportingInitialDelay:d
      usageReportingInterval:d natPortRange:p natOutgoingAddress:s natOutgoingExclusions:e=IPPoolsOnly|IPPoolsAndHostIPs
      deviceRouteSourceAddress:s deviceRouteSourceAddressIPv6:s deviceRouteProtocol:i removeExternalRoutes:b
      programClusterRoutes:e=Enabled|Disabled|EnabledIPIPOnly|EnabledNoEncapOnly ipForwarding:e=Enabled|Disabled
      externalNodesList:l debugMemoryProfilePath:s debugDisableLogDropping:b debugSimulateCalcGraphHangAfter:d
      debugSimulateDataplaneHangAfter:d debugSimulateDataplaneApplyDelay:d debugHost:s debugPort:i
      iptablesNATOutgoingInterfaceFilter:s sidecarAccelerationEnabled:b xdpEnabled:b genericXDPEnabled:b
      nftablesMode:e=Disabled|Enabled|Auto nftablesFlowTableOffload:e=All|Disabled nftablesFlowTableDataIfacePattern:s
      nftablesRefreshInterval:d nftablesFilterAllowAction:e=Accept|Return nftablesMangleAllowAction:e=Accept|Return
      nftablesFilterDenyAction:e=Drop|Reject nftablesMarkMask:i bpfEnabled:b bpfOverlayHostSourceIP:s
      bpfDisableUnprivileged:b bpfJITHardening:e=Auto|Strict bpfLogLevel:s bpfConntrackLogLevel:s bpfConntrackMode:s
      bpfConntrackTimeouts:o bpfIPFragTimeout:d bpfLogFilters:o bpfCTLBLogFilter:s bpfDataIfacePattern:s
      bpfL3IfacePattern:s bpfConnectTimeLoadBalancingEnabled:b bpfConnectTimeLoadBalancing:e=TCP|Enabled|Disabled
      bpfHostNetworkedNATWithoutCTLB:e=Enabled|Disabled bpfExternalServiceMode:e=Tunnel|DSR bpfDSROptoutCIDRs:l
      bpfExtToServiceConnmark:i bpfKubeProxyIptablesCleanupEnabled:b bpfKubeProxyMinSyncPeriod:d
      bpfKubeProxyHealthzPort:i bpfKubeProxyEndpointSlicesEnabled:b bpfPSNATPorts:p bpfMapSizeNATFrontend:i
      bpfMapSizeNATBackend:i bpfMapSizeNATAffinity:i bpfMapSizeRoute:i bpfMapSizeConntrack:i
      bpfMapSizePerCpuConntrack:i bpfMapSizeIPSets:i bpfMapSizeIfState:i bpfMapSizeConntrackScaling:s
      bpfMapSizeConntrackCleanupQueue:i bpfHostConntrackBypass:b bpfIPFragmentReassemblyEnabled:b
      bpfEnforceRPF:e=Disabled|Strict|Loose bpfPolicyDebugEnabled:b bpfForceTrackPacketsFromIfaces:l
      bpfDisableGROForIfaces:s bpfExcludeCIDRsFromNAT:l bpfExportBufferSizeMB:i istioAmbientMode:e=Enabled|Disabled
      istioDSCPMark:p cgroupV2Path:s flowLogsPolicyEvaluationMode:e=None|Continuous bpfRedirectToPeer:s
      bpfAttachType:e=TC|TCX|Netkit flowLogsFlushInterval:d flowLogsCollectorDebugTrace:b flowLogsGoldmaneServer:s
      flowLogsLocalReporter:e=Disabled|Enabled bpfProfiling:s routeSource:e=WorkloadIPs|CalicoIPAM routeTableRanges:l
      routeTableRange:o routeSyncDisabled:b ipv4NormalRoutePriority:i ipv6NormalRoutePriority:i
      ipv4ElevatedRoutePriority:i ipv6ElevatedRoutePriority:i liveMigrationRouteConvergenceTime:d wireguardEnabled:b
      wireguardEnabledV6:b wireguardThreadingEnabled:b wireguardListeningPort:i wireguardListeningPortV6:i
      wireguardRoutingRulePriority:i wireguardInterfaceName:s wireguardInterfaceNameV6:s wireguardMTU:i
      wireguardMTUV6:i wireguardHostEncryptionEnabled:b wireguardKeepAlive:d awsSrcDstCheck:e=DoNothing|Enable|Disable
      serviceLoopPrevention:e=Drop|Reject|Disabled workloadSourceSpoofing:e=Disabled|Any mtuIfacePattern:s
      floatingIPs:e=Enabled|Disabled localSubnetL2Reachability:e=Disabled|PodsAndLoadBalancers
      localSubnetL2ReachabilityRefreshInterval:d windowsManageFirewallRules:e=Enabled|Disabled goGCThreshold:i
      goMemoryLimitMB:i goMaxProcs:i requireMTUFile:b bpfMaglevMaxEndpointsPerService:i bpfMaglevMaxServices:i
      """;

  private static final Map<String, FelixField> BY_NAME = Arrays.stream(TABLE.trim().split("\\s+"))
      .map(FelixField::entry)
      .collect(Collectors.toUnmodifiableMap(FelixField::name, Function.identity()));

  private static FelixField entry(String spec) {
    int colon = spec.indexOf(':');
    String name = spec.substring(0, colon);
    String t = spec.substring(colon + 1);
    if (t.startsWith("e=")) {
      return new FelixField(name, Type.ENUM, List.of(t.substring(2).split("\\|")));
    }
    Type type = switch (t) {
      case "b" -> Type.BOOL;
      case "i" -> Type.INT;
      case "s" -> Type.STRING;
      case "d" -> Type.DURATION;
      case "l" -> Type.LIST;
      case "o" -> Type.OBJECT;
      case "p" -> Type.PORT;
      default -> throw new IllegalStateException("bad FelixField table entry " + spec);
    };
    return new FelixField(name, type, List.of());
  }

  public static Optional<FelixField> lookup(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  public static int count() {
    return BY_NAME.size();
  }

  /** Why {@code value} does not fit this field, or empty when it does. */
  public Optional<String> check(Object value) {
    boolean ok = switch (type) {
      case BOOL -> value instanceof Boolean;
      case INT -> value instanceof Integer || value instanceof Long
          || (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()));
      case STRING -> value instanceof String;
      case DURATION -> value instanceof String s && GoDuration.isValid(s);
      case ENUM -> value instanceof String s && allowed.contains(s);
      case LIST -> value instanceof List<?>;
      case OBJECT -> value instanceof Map<?, ?>;
      case PORT -> value instanceof Number || value instanceof String;
    };
    if (ok) {
      return Optional.empty();
    }
    return Optional.of(switch (type) {
      case BOOL -> "must be true or false";
      case INT -> "must be a whole number";
      case STRING -> "must be a string";
      case DURATION -> "must be a duration such as 90s, 1m30s or 500ms";
      case ENUM -> "must be one of " + String.join(", ", allowed);
      case LIST -> "must be a list";
      case OBJECT -> "must be an object";
      case PORT -> "must be a port number or range such as 20000:29999";
    });
  }
}
