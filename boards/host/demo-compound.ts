// The demo compound `npm start` seeds into an empty flash: one resident with a
// card only, a renter whose lease (and card) ends soon, a resident who opted
// into face entry, and a one-time courier code. Data only: the seeding itself
// goes through the firmware's own registry and consent APIs (demo-seed.ts),
// and the simulator UI uses the same table to offer cards and faces.

export interface DemoResident {
  id: string;
  unit: string;
  role: "owner" | "renter" | "staff" | "visitor" | "courier";
  note: string;
  card: string;
  /** Keypad code (the resident number) + PIN for "<code>#<PIN>#"; absent for card-only residents. */
  keypadCode?: string;
  pin?: string;
  /** Days from the first boot until the validity window ends (renters). */
  validDays?: number;
  /** Synthetic face identity; present only for the resident who consented. */
  faceIdentity?: number;
}

export const DEMO_RESIDENTS: DemoResident[] = [
  { id: "R0001", unit: "1-101", role: "owner", note: "card only, refused face", card: "04a1b2c3" },
  { id: "R0002", unit: "2-202", role: "renter", note: "renter, lease ends in 2 days", card: "04d4e5f6", keypadCode: "2", pin: "246813", validDays: 2 },
  { id: "R0003", unit: "3-303", role: "owner", note: "opted into face", card: "04112233", keypadCode: "3", pin: "135724", faceIdentity: 303 },
];

/** A courier (R00004) holding one one-time code. */
export const DEMO_VISITOR_CODE = { id: "R00004", unit: "1-101", code: "583920", uses: 1, validHours: 24, note: "courier, one use, 24 h" };

/** The notice residents consent to before face enrolment. */
export const DEMO_NOTICE = {
  purpose: "Open the compound gate for residents who ask for it, instead of a card or PIN.",
  method: "The camera runs only after you press A; your face is compared with your own template on this gate.",
  retentionDays: 365,
};

/** A card no resident holds. */
export const DEMO_UNKNOWN_CARD = "deadbeef";

/** Technician login on the demo console (change it with `passwd` on a real gate). */
export const DEMO_TECHNICIAN = { id: "tech", password: "demo-tech-1" };
