import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_HEADER } from "../handlers/consumer-behaviours.ts";
import { type Pages, useBrowser } from "../helpers/browser.ts";
import { GROUP, linesAt, TEST_HANDLERS, tempDir } from "../helpers/consumer.ts";
import { anOrder } from "../helpers/events.ts";
import { eventually, useNamespace } from "../helpers/kafka.ts";
import { useRawProducer } from "../helpers/records.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

// The console in a real browser (Debian's Chromium driven by playwright-core), against the
// shared cluster and real workers: producer edge, consumer (test handlers), console.
// CONSOLE_SCREENSHOTS=<dir> saves a screenshot of each page there (docs/console/ in the repo).
const shots = process.env.CONSOLE_SCREENSHOTS;

async function shot(page: Page, name: string) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

describe("console in a browser", { timeout: 180_000 }, () => {
  const ns = useNamespace();
  const dir = tempDir("console-e2e");
  const orders = ns.topic("orders");
  let producer: Worker;
  let consumer: Worker;
  let console_: Worker;
  let pages: Pages;
  let raw: Awaited<ReturnType<typeof useRawProducer>>;

  beforeAll(async () => {
    const env = { KAFKA_NAMESPACE: ns.prefix };
    producer = await startWorker("producer", env);
    consumer = await startWorker("consumer", {
      ...env,
      CONSUMER_HANDLERS: TEST_HANDLERS,
      CONSUMER_MAX_RETRIES: "1",
      CONSUMER_RETRY_BACKOFF_MS: "50",
    });
    console_ = await startWorker("console", {
      ...env,
      CONSOLE_PRODUCER_URL: producer.url,
      CONSOLE_CONSUMER_URL: consumer.url,
      CONSOLE_SAMPLE_INTERVAL_MS: "1000",
    });
    pages = await useBrowser();
    raw = await useRawProducer();
  });

  it("posts an order through the form, and finds it in the live tail and in the topic view with its contract badge", async () => {
    const tail = await pages.open();
    await tail.goto(`${console_.url}/tail/${orders}`);
    await tail.locator("#tail-status[data-state=live]").waitFor();

    const form = await pages.open();
    await form.goto(`${console_.url}/produce/orders`);
    // The page checks the event with the contract's own schema before anything is sent.
    await form.locator("#event").fill('{"orderId": "not-a-uuid"}');
    await expect
      .poll(() => form.locator("#issues li").allTextContents())
      .toContainEqual(expect.stringMatching(/^orderId: /));
    expect(await form.locator("#send").isDisabled()).toBe(true);
    const order = anOrder({ customerId: `browser-${randomUUID()}` });
    await form.locator("#event").fill(JSON.stringify(order, null, 2));
    await form.locator("#issues[data-valid=true]").waitFor();
    await form.locator("#send").click();
    await form.locator("#answer[data-status='201']").waitFor();
    await shot(form, "produce");
    const answer = JSON.parse((await form.locator("#answer").textContent())?.split("\n").slice(1).join("\n") ?? "{}");
    expect(answer).toMatchObject({ topic: "orders", partition: expect.any(Number), offset: expect.any(String) });
    const at = `[data-partition="${answer.partition}"][data-offset="${answer.offset}"]`;

    const tailed = tail.locator(`#tail tr${at}`);
    await tailed.waitFor();
    expect(await tailed.locator(".badge").textContent()).toBe("✔ orders");
    expect(await tailed.locator(".key").textContent()).toBe(order.orderId);
    await shot(tail, "tail");

    const topic = await pages.open();
    await topic.goto(`${console_.url}/topics/${orders}?partition=${answer.partition}&offset=${answer.offset}&limit=5`);
    const row = topic.locator(`tr.record${at}`);
    expect(await row.locator(".badge").textContent()).toBe("✔ orders");
    expect(await row.locator(".value").textContent()).toContain(order.customerId);
    await shot(topic, "topic");
    await topic.goto(`${console_.url}/topics/${orders}/records/${answer.partition}/${answer.offset}`);
    expect(await topic.locator("table.kv:has(caption:text('CloudEvents'))").textContent()).toContain(
      "dev.kafka-pair.order.placed",
    );
    expect(await topic.locator("table.kv:has(caption:text('Trace context'))").isVisible()).toBe(true);
    await shot(topic, "event");

    const cluster = await pages.open();
    await cluster.goto(console_.url);
    for (const name of ["orders", "orders.dlq", "health", "health.dlq"]) {
      expect(await cluster.locator(`#topics tr[data-topic="${ns.topic(name)}"]`).count(), name).toBe(1);
    }
    await shot(cluster, "cluster");
  });

  it("shows a failed order's dead letter with its reason, replays it, and the consumer then handles it", async () => {
    const release = join(dir, "release-dlq");
    const [source] = await raw.send(orders, [
      {
        key: "dlq-order",
        value: JSON.stringify(anOrder()),
        headers: { [TEST_HEADER.failUntil]: release },
      },
    ]);
    if (!source) throw new Error("not produced");
    const page = await pages.open();
    const dlq = ns.topic("orders.dlq");
    const row = page.locator(`tr.letter:has(code:text-is("${orders}/${source.partition}/${source.offset}"))`);
    await eventually(
      async () => {
        await page.goto(`${console_.url}/dead-letters/${dlq}`);
        return (await row.count()) === 1 ? true : undefined;
      },
      60_000,
      "the dead letter on the page",
    );
    expect(await row.locator(".reason").textContent()).toBe("handler-failed");
    expect(await row.locator(".error").textContent()).toContain("planned failure until released");
    await shot(page, "dead-letters");

    writeFileSync(release, "");
    page.removeAllListeners("dialog");
    page.on("dialog", (dialog) => void dialog.accept());
    await row.locator("input.pick").check();
    const replayed = page.waitForResponse((res) => res.url().endsWith("/replay"));
    await page.locator("#replay-selected").click();
    const body = (await (await replayed).json()) as { replayed: Array<{ to: { partition: number; offset: string } }> };
    await page.locator("#replay-result[data-state=done]").waitFor();
    expect(await page.locator("#replay-result").textContent()).toBe("replayed 1 letter(s)");
    const to = body.replayed[0]?.to;
    if (!to) throw new Error("no replay report");
    await eventually(
      () => (linesAt(consumer, to, "processed").length > 0 ? true : undefined),
      60_000,
      "the replayed order handled",
    );
    expect(console_.logs).toContainEqual(expect.objectContaining({ msg: "replayed", via: "console", by: "127.0.0.1" }));
  });

  it("shows a group's lag grow while its handler is blocked, then fall to 0", async () => {
    const release = join(dir, "release-lag");
    await raw.send(
      orders,
      Array.from({ length: 5 }, () => ({
        key: "lag-key",
        value: JSON.stringify(anOrder()),
        headers: { [TEST_HEADER.blockUntil]: release },
      })),
    );
    const page = await pages.open();
    const lag = async () => {
      await page.goto(`${console_.url}/groups/${ns.group(GROUP)}`);
      return Number(await page.locator("#total-lag").textContent());
    };
    await eventually(async () => ((await lag()) > 0 ? true : undefined), 30_000, "lag above 0");
    writeFileSync(release, "");
    await eventually(async () => ((await lag()) === 0 ? true : undefined), 60_000, "lag back to 0");
    expect(await page.locator("#members tbody tr").count()).toBe(1);
    await page.waitForTimeout(2_500); // two more samples for the chart
    await page.reload();
    await page.locator("#chart polyline.lag").waitFor({ state: "attached" });
    // The consumer worker answers the console: throughput comes from its processed counter.
    expect(await page.locator("#chart .rate-label").textContent()).toContain("(consumer /metrics)");
    await shot(page, "group");
    await page.goto(`${console_.url}/groups`);
    expect(await page.locator(`#groups tr[data-group="${ns.group(GROUP)}"] .lag`).textContent()).toBe("0");
    await shot(page, "groups");
  });

  it("renders markup and script in a key, a value and a header as text: nothing runs", async () => {
    const payload = {
      key: `<script>window.pwned=1;alert("key")</script>`,
      value: `<img src=x onerror="window.pwned=2;alert('value')"><b>bold</b>`,
      header: `"><svg onload="window.pwned=3;alert('header')">`,
    };
    const tail = await pages.open();
    await tail.goto(`${console_.url}/tail/${orders}`);
    await tail.locator("#tail-status[data-state=live]").waitFor();
    const [at] = await raw.send(orders, [
      { key: payload.key, value: payload.value, headers: { "x-evil": payload.header } },
    ]);
    if (!at) throw new Error("not produced");
    const sel = `[data-partition="${at.partition}"][data-offset="${at.offset}"]`;
    await tail.locator(`#tail tr${sel}`).waitFor();
    expect(await tail.locator(`#tail tr${sel} .key`).textContent()).toBe(payload.key);
    expect(await tail.locator(`#tail tr${sel} .value`).textContent()).toBe(payload.value);

    const page = await pages.open();
    await page.goto(`${console_.url}/topics/${orders}?partition=${at.partition}&offset=${at.offset}&limit=1`);
    expect(await page.locator(`tr.record${sel} .key`).textContent()).toBe(payload.key);
    expect(await page.locator(`tr.record${sel} .value`).textContent()).toBe(payload.value);
    expect(await page.locator(`tr.record${sel} .badge`).textContent()).toBe("✘ orders");
    await page.goto(`${console_.url}/topics/${orders}/records/${at.partition}/${at.offset}`);
    expect(await page.locator("#value").textContent()).toBe(payload.value);
    expect(await page.locator("table.kv:has(caption:text('Other headers')) td").textContent()).toBe(payload.header);
    await shot(page, "payload");

    // It breaks the contract: the consumer dead-letters it, and the letter page shows it as text too.
    const dlq = ns.topic("orders.dlq");
    const letter = page.locator(`tr.letter:has(code:text-is("${orders}/${at.partition}/${at.offset}"))`);
    await eventually(
      async () => {
        await page.goto(`${console_.url}/dead-letters/${dlq}`);
        return (await letter.count()) === 1 ? true : undefined;
      },
      60_000,
      "the payload's dead letter",
    );
    expect(await letter.locator("td").last().textContent()).toBe(payload.key);

    for (const p of [tail, page]) {
      expect(await p.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
      expect(await p.locator("b:text('bold'), img[src=x], svg[onload]").count()).toBe(0);
    }
    expect(pages.dialogs).toEqual([]);
    expect(pages.errors).toEqual([]);
  });
});
