// Issue 5's measured claim, as figures: a scripted day of 10,000 mixed events
// on the firmware on the host board (test/app/scripted-day.ts through
// test/app/host-firmware-rig.ts, the same run scripted-day.node.test.ts
// asserts on): camera-on time from the camera supply's power log against the
// sum of the face-session and enrolment windows the core opened, how many
// sessions, how many bytes the leak scan indexed, and how many secret windows
// or PINs it found in them (must be 0).
import type { BenchRow, BenchSuite } from "../harness";
import { bootHostFirmware } from "../../../test/app/host-firmware-rig";
import { checkCameraWindows, DayCapture, runScriptedDay, scanForLeaks, watchCameraWindows } from "../../../test/app/scripted-day";

const EVENTS = 10_000;

const suite: BenchSuite = {
  name: "scripted-day",
  async run(): Promise<BenchRow[]> {
    const capture = new DayCapture();
    const rig = await bootHostFirmware(capture);
    try {
      const windows = watchCameraWindows(rig.gate.core, rig.gate.now);
      const started = performance.now();
      const stats = runScriptedDay(rig.gate, capture, { events: EVENTS, residents: 40 });
      const dayMs = performance.now() - started;
      const { onMs, windowMs } = checkCameraWindows(rig.gate.cameraLog, windows);
      capture.output(rig.flash.image);
      const leaks = scanForLeaks(capture);
      const sessions = windows.filter((w) => w.kind === "session").length;
      const enrolments = windows.length - sessions;
      const hits = leaks.hits.reduce((sum, h) => sum + h.windows, 0) + leaks.pinHits;
      const faces = stats.faceGenuine + stats.faceImpostor + stats.faceNoFace + stats.faceLowQuality;
      return [
        {
          case: `scripted day, ${EVENTS} events: camera-on time (supply power log)`, value: onMs, unit: "ms", baseline: windowMs, baselineName: "sum of session + enrolment windows",
          target: "equal", note: `${sessions} face sessions, ${enrolments} enrolments; ${faces} consenting face events, ${stats.faceGranted} granted; ${stats.faceNonConsenting} face keys by non-consenting residents (camera stayed off ${stats.faceNonConsentingCameraOff}); ${stats.cardPinEvents} card/PIN events, camera off in ${stats.cardPinCameraOff}; day ran in ${Math.round(dayMs)} ms`,
        },
        {
          case: "scripted day: secret windows and PINs found in bytes written", value: hits, unit: "hits", target: "0",
          note: `${capture.scanner.bytesIndexed} bytes indexed (${capture.flashWrites} flash writes = ${capture.flashWriteBytes} B, raw image ${rig.flash.size} B, ${capture.auditRecords} audit records, ${capture.consoleBytes} console B, ${capture.logLines} log lines); ${leaks.secrets} secrets (${leaks.secretBytes} B) and ${capture.pins.length} PINs looked up`,
        },
      ];
    } finally {
      rig.stop();
    }
  },
};

export default suite;
