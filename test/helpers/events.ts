import { faker } from "@faker-js/faker";
import type { OrderPlaced } from "@kafka-pair/shared/contracts";

/** A valid OrderPlaced with realistic random data; override what the test is about. */
export function anOrder(overrides: Partial<OrderPlaced> = {}): OrderPlaced {
  return {
    orderId: faker.string.uuid(),
    customerId: `cust-${faker.string.alphanumeric(8)}`,
    currency: faker.helpers.arrayElement(["EUR", "USD", "KRW"]),
    lines: Array.from({ length: faker.number.int({ min: 1, max: 4 }) }, () => ({
      sku: faker.string.alphanumeric({ length: 8, casing: "upper" }),
      quantity: faker.number.int({ min: 1, max: 5 }),
      unitPriceCents: faker.number.int({ min: 100, max: 50_000 }),
    })),
    placedAt: faker.date.recent().toISOString(),
    ...overrides,
  };
}

export function postJson(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Response bodies in tests are asserted on, not trusted: `any` keeps the assertions short. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export async function readJson(res: Response): Promise<any> {
  return res.json();
}
