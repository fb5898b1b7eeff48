// The fault tests' kill -9 from inside: at a named point, with the configured odds, the process
// kills itself with SIGKILL (no shutdown, no flush), as a crash there would. Off unless
// CONSUMER_CRASH_AT is set (through the config module; handlers never see it).
import process from "node:process";
import type { CrashOdds, CrashPoint } from "@kafka-pair/shared/runtime";

export type Crash = (point: CrashPoint) => void;

export const noCrash: Crash = () => {};

export function crashHook(odds: CrashOdds | undefined, kill: () => void = killNow, random = Math.random): Crash {
  if (!odds || Object.keys(odds).length === 0) return noCrash;
  return (point) => {
    const chance = odds[point];
    if (chance !== undefined && random() < chance) kill();
  };
}

function killNow(): void {
  process.kill(process.pid, "SIGKILL");
}
