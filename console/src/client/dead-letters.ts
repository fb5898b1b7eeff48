// The dead-letter page: pick letters (or take all shown), confirm, POST the replay as JSON.

const form = document.querySelector<HTMLFormElement>("#replay");
const selected = document.querySelector<HTMLButtonElement>("#replay-selected");
const matching = document.querySelector<HTMLButtonElement>("#replay-matching");
const result = document.querySelector<HTMLElement>("#replay-result");

function picked(): Array<{ partition: number; offset: string }> {
  return [...document.querySelectorAll<HTMLInputElement>("input.pick:checked")].map((box) => {
    const row = box.closest("tr") as HTMLTableRowElement;
    return { partition: Number(row.dataset.partition), offset: row.dataset.offset ?? "" };
  });
}

async function replay(body: object, count: number): Promise<void> {
  if (!form || !result) return;
  if (!window.confirm(`Replay ${count} letter(s) of ${form.dataset.topic} back to their topic?`)) return;
  result.textContent = "replaying…";
  const res = await fetch(`/api/dead-letters/${encodeURIComponent(form.dataset.topic ?? "")}/replay`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...body, confirm: true }),
  });
  const answer = (await res.json()) as { replayed?: unknown[]; error?: { message: string } };
  result.textContent = res.ok
    ? `replayed ${answer.replayed?.length ?? 0} letter(s)`
    : `failed (${res.status}): ${answer.error?.message ?? "unknown error"}`;
  result.dataset.state = res.ok ? "done" : "failed";
}

if (form && selected && matching) {
  form.addEventListener("change", () => {
    selected.disabled = picked().length === 0;
  });
  selected.addEventListener("click", () => {
    const letters = picked();
    void replay({ letters }, letters.length);
  });
  matching.addEventListener("click", () => {
    const rows = document.querySelectorAll("tr.letter").length;
    void replay({ filter: { reason: form.dataset.reason || undefined, text: form.dataset.text || undefined } }, rows);
  });
}
