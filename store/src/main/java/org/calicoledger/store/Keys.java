package org.calicoledger.store;

import java.util.Optional;
import org.calicoledger.model.Kind;

/**
 * The etcd key layout, compatible with Calico's etcdv3 backend:
 * {@code /calico/resources/v3/projectcalico.org/<plural>/[<namespace>/]<name>}; our own additions live under
 * {@code /calico/ledger/v1/}.
 */
public final class Keys {
  public static final String ROOT = "/calico/";
  public static final String RESOURCES = "/calico/resources/v3/projectcalico.org/";
  public static final String LEDGER = "/calico/ledger/v1/";
  public static final String AUDIT = LEDGER + "audit/";
  /** Bumped by every IPPool create, so two overlapping pools cannot be created at once. */
  public static final String POOL_GUARD = LEDGER + "guards/ippools";
  /** {@link Kind#HOOK} resources: {@code hooks/<name>}. */
  public static final String HOOKS = LEDGER + "hooks/";
  /** calico-hooks' bookkeeping, one key per hook: its position and delivery status, and replay requests. */
  public static final String HOOK_STATUS = LEDGER + "hook-status/";
  public static final String HOOK_REPLAY = LEDGER + "hook-replay/";

  private Keys() {}

  public static String resource(ResourceKey k) {
    if (k.kind() == Kind.HOOK) {
      return HOOKS + k.name();
    }
    return RESOURCES + k.kind().plural() + "/" + (k.namespace() == null ? "" : k.namespace() + "/") + k.name();
  }

  /** The list prefix of a kind, or of one namespace of a namespaced kind (namespace null: all). */
  public static String prefix(Kind kind, String namespace) {
    if (kind == Kind.HOOK) {
      return HOOKS;
    }
    return RESOURCES + kind.plural() + "/" + (kind.namespaced() && namespace != null ? namespace + "/" : "");
  }

  /** The resource a key names, if it is a v3 resource key of a kind this project knows. */
  public static Optional<ResourceKey> parse(String key) {
    if (key.startsWith(HOOKS)) {
      String name = key.substring(HOOKS.length());
      return name.isEmpty() || name.contains("/") ? Optional.empty() : Optional.of(ResourceKey.of(Kind.HOOK, name));
    }
    if (!key.startsWith(RESOURCES)) {
      return Optional.empty();
    }
    String[] parts = key.substring(RESOURCES.length()).split("/");
    Optional<Kind> kind = Kind.byPlural(parts[0]);
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    Kind k = kind.get();
    if (k.namespaced() && parts.length == 3) {
      return Optional.of(new ResourceKey(k, parts[1], parts[2]));
    }
    if (!k.namespaced() && parts.length == 2) {
      return Optional.of(new ResourceKey(k, null, parts[1]));
    }
    return Optional.empty();
  }

  public static String audit(String actor) {
    return AUDIT + actor.replace('/', '_');
  }
}
