// A customer's program, written the way the API reference tells customers to: a client generated from the served
// OpenAPI document with openapi-typescript, called through openapi-fetch. It must type-check with `tsc --strict`
// (integers are numbers, problem codes are a closed set) and run against a portal.
// Reads DATAKEEN_API_URL and DATAKEEN_SECRET_KEY; prints one JSON line with what it saw.
import createClient from "openapi-fetch";
import type { paths } from "./datakeen-api.js";

const baseUrl = process.env.DATAKEEN_API_URL;
const secretKey = process.env.DATAKEEN_SECRET_KEY;
if (!baseUrl || !secretKey) {
  throw new Error("Set DATAKEEN_API_URL and DATAKEEN_SECRET_KEY.");
}

const datakeen = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${secretKey}` } });

const whoami = await datakeen.GET("/api/v1/whoami");
if (!whoami.data) {
  throw new Error(`whoami refused: ${whoami.error.code} (${whoami.error.requestId})`);
}

const credits = await datakeen.GET("/api/v1/credits");
if (!credits.data) {
  throw new Error(`credits refused: ${credits.error.code}`);
}
// Arithmetic on the balance compiles only when the document types it as an integer, not `number | string`.
const expectedBalance: number = credits.data.balance - 1;

const idempotencyKey = crypto.randomUUID();
const consume = () =>
  datakeen.POST("/api/v1/credits/consume", {
    params: { header: { "Idempotency-Key": idempotencyKey } },
    body: { amount: 1, reference: "typescript-client" },
  });

const first = await consume();
const replay = await consume();
if (!first.data || !replay.data) {
  throw new Error(`consume refused: ${first.error?.code ?? replay.error?.code}`);
}

const tooMuch = await datakeen.POST("/api/v1/credits/consume", {
  params: { header: { "Idempotency-Key": crypto.randomUUID() } },
  body: { amount: 100 },
});
let refusal = "none";
if (tooMuch.error) {
  switch (tooMuch.error.code) {
    case "insufficient_credits":
      refusal = `insufficient_credits ${tooMuch.error.type}`;
      break;
    default:
      refusal = `other ${tooMuch.error.code}`;
  }
}

console.log(JSON.stringify({
  workspace: whoami.data.workspace.slug,
  keyType: whoami.data.keyType,
  expectedBalance,
  balance: first.data.balance,
  replayed: replay.response.headers.get("Idempotent-Replayed"),
  sameEntry: first.data.id === replay.data.id,
  requestId: replay.response.headers.get("Request-Id"),
  refusal,
}));
