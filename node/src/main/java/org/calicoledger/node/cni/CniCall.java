package org.calicoledger.node.cni;

import java.util.Map;

/**
 * One request to the calico plugin: the runtime's environment and stdin as the front end received them, the parsed
 * configuration, and the stderr text collected for the runtime (a delegated IPAM plugin's, as the spec asks).
 */
record CniCall(Map<String, String> env, String stdin, PluginConf conf, StringBuilder stderr) {
  String command() {
    return env.getOrDefault("CNI_COMMAND", "");
  }

  String netns() {
    return env.getOrDefault("CNI_NETNS", "");
  }
}
