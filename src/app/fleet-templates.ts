// The gate's end of templates within the consent's scope (docs/sync.md
// "Templates within the consent's scope"), between the fleet link and the
// face core. A face enrolled here whose consent names other gates
// ("gate-<n>" in the notice) is opened from the vault, sealed to each of
// those gates' keys (the hub's signed directory) and sent up; the clear copy
// exists in RAM only while it is sealed. A template another gate shared is
// installed here only if the resident is known with a card or PIN, this
// gate's current notice has the same terms and names this gate, the face
// model is this gate's, and no withdrawal was recorded here since the grant:
// then the consent is recorded (channel hub, the origin gate as actor) and
// the template goes into the vault (sealed under its own key) and the matcher.
import { formatResidentId, parseResidentId } from "../core/access/types";
import { wipe } from "../core/crypto";
import { isOptgateError } from "../core/errors";
import { openTemplate } from "../core/face/sealed-template";
import type { Random } from "../core/ports";
import {
  GateTemplates, consentScope, encodeSharedTemplate, scopeGateIds, type InstallRequest, type InstallResult,
} from "../core/sync/template-share";
import type { AuditEntry } from "../core/audit/audit-record";
import type { GateCore } from "./core";

const SEAL_KEYS_TYPE = 3; // template-share.ts SHARE_TYPES "seal-keys", 1-based

export interface FleetTemplatesOptions {
  core: GateCore;
  templates: GateTemplates;
  random: Random;
  /** The wall clock (consent records and the gate's answers). */
  now(): number;
  /** Publishes resident `label`'s share (the fleet link: sent until the hub answers it). */
  send(share: Uint8Array, label: string): void;
  log(line: string): void;
}

export class FleetTemplates {
  readonly #o: FleetTemplatesOptions;
  /** Enrolled here before the hub's seal keys came (this boot): shared when they do. */
  readonly #waiting = new Set<string>();

  constructor(o: FleetTemplatesOptions) {
    this.#o = o;
  }

  /** A message on the gate's template topic: the hub's seal keys, or a delivery to install. */
  handle(payload: Uint8Array, now: number | undefined): { audit?: AuditEntry; refused: boolean; answer?: Uint8Array } {
    if (payload.length > 4 && payload[4] === SEAL_KEYS_TYPE) {
      const out = this.#o.templates.handleSealKeys(payload, now);
      if (out.ok) for (const label of [...this.#waiting]) this.enrolledHere(label);
      return { refused: !out.ok, audit: out.audit };
    }
    const out = this.#o.templates.handleDelivery(payload, now, { install: (r) => this.#install(r) });
    return { refused: out.result !== "installed", audit: out.audit, answer: out.answer };
  }

  /**
   * A face enrolled at this gate: sealed to the other gates in its consent's
   * scope ("sent"), or kept until the hub's seal keys are known ("waiting"),
   * or nothing to share (no consent or template now, no other gate in scope).
   */
  enrolledHere(label: string): "sent" | "waiting" | "nothing" {
    const { core, templates } = this.#o;
    this.#waiting.delete(label);
    const grant = core.ledger.activeGrant(label);
    if (!grant || !core.gallery.entry(label)) return "nothing";
    const notice = core.notices.get(grant.noticeVersion);
    const gates = scopeGateIds(notice).filter((g) => g !== templates.gateId);
    if (gates.length === 0) return "nothing";
    if (!templates.hasDirectory) {
      this.#waiting.add(label);
      return "waiting";
    }
    const held = core.vault.get(label);
    if (!held) return "nothing";
    let plain: Uint8Array;
    try {
      const { template, meta } = openTemplate(held.sealed, held.key, label);
      plain = encodeSharedTemplate({ model: meta.model, enrolledAt: meta.enrolledAt, template });
      wipe(new Uint8Array(template.values.buffer));
    } finally {
      wipe(held.key);
    }
    const out = templates.share({ residentId: parseResidentId(label), scope: consentScope(notice), grantedAt: grant.at, gates, plain }, this.#o.random);
    if (out.missing.length) this.#o.log(`fleet: ${label}'s template not shared with gate(s) ${out.missing.join(", ")}: the hub gave no seal key`);
    if (!out.message) return "nothing";
    this.#o.send(out.message, label);
    return "sent";
  }

  #install(r: InstallRequest): InstallResult {
    const { core } = this.#o;
    const label = formatResidentId(r.residentId);
    if (!core.registry.has(r.residentId)) return "not-eligible";
    try {
      core.registry.checkFaceEnrolment(r.residentId);
    } catch (error) {
      if (isOptgateError(error)) return "not-eligible";
      throw error;
    }
    const current = core.notices.current();
    if (!current || consentScope(current) !== r.scope || !current.gates.includes(core.gateName)) return "scope";
    try {
      core.gallery.requireModel(r.shared.model, "A template shared by another gate");
    } catch (error) {
      if (isOptgateError(error)) return "model";
      throw error;
    }
    if (r.shared.template.dimension !== core.gallery.dimension) return "model";
    // A delivery replayed after the resident enrolled again (within its 24 h) must not put the old face back.
    const held = core.gallery.entry(label);
    if (held && held.enrolledAt > r.shared.enrolledAt) return "older";
    const now = this.#o.now();
    try {
      core.ledger.relayGrant({ residentId: label, grantedAt: r.grantedAt, origin: `gate-${r.fromGate}`, at: now });
    } catch (error) {
      if (isOptgateError(error, "E_CONSENT_WITHDRAWN_SINCE")) return "withdrawn";
      throw error;
    }
    core.gallery.enrol(core.ledger.activeConsent(label), r.shared.template, r.shared.enrolledAt);
    if (core.registry.get(r.residentId)?.faceEnrolled !== true) core.registry.setFaceEnrolled(r.residentId, true);
    return "installed";
  }
}
