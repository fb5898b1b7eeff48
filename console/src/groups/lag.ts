import type { ConsoleCluster, GroupInfo } from "../cluster/types.ts";

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: bigint | undefined;
  end: bigint;
  /** Records up to the read_committed end the group has not committed; the whole partition when it has no commit. */
  lag: bigint;
  owner: string | undefined;
}

/** Per partition of every topic the group committed on or is assigned: committed offset, end, lag, owner. */
export async function groupLag(cluster: ConsoleCluster, group: GroupInfo): Promise<PartitionLag[]> {
  const owners = new Map<string, string>();
  for (const member of group.members) {
    for (const tp of member.assignment) owners.set(`${tp.topic}/${tp.partition}`, member.clientId || member.memberId);
  }
  const topics = new Set([
    ...group.offsets.map((o) => o.topic),
    ...group.members.flatMap((m) => m.assignment.map((a) => a.topic)),
  ]);
  const committed = new Map(group.offsets.map((o) => [`${o.topic}/${o.partition}`, BigInt(o.offset)]));
  const out: PartitionLag[] = [];
  for (const name of [...topics].sort()) {
    const topic = await cluster.topic(name);
    for (const p of topic?.partitions ?? []) {
      const at = `${name}/${p.partition}`;
      const end = BigInt(p.high);
      const done = committed.get(at);
      const from = done ?? BigInt(p.low);
      out.push({
        topic: name,
        partition: p.partition,
        committed: done,
        end,
        lag: end > from ? end - from : 0n,
        owner: owners.get(at),
      });
    }
  }
  return out;
}

export const totalLag = (lags: PartitionLag[]) => lags.reduce((sum, l) => sum + l.lag, 0n);
export const totalCommitted = (lags: PartitionLag[]) => lags.reduce((sum, l) => sum + (l.committed ?? 0n), 0n);
