// The graphql-ws client (what Apollo and urql use) against a running rfpmarket.
//   node client.mjs <ws url> <api key> <subscription> [variables JSON]
// Authenticates in connection_init's payload, prints "ready" once acknowledged, then each result as
// one JSON line; exits 0 after the first result, 1 on an error or a closed socket.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, key, query, variables] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${key}` },
  retryAttempts: 0,
  on: { connected: () => console.log("ready") },
});
client.subscribe(
  { query, variables: variables ? JSON.parse(variables) : {} },
  {
    next: (result) => {
      console.log(JSON.stringify(result));
      client.dispose();
      process.exit(0);
    },
    error: (error) => {
      console.log(JSON.stringify({ clientError: String(error?.reason ?? error?.message ?? error), code: error?.code }));
      process.exit(1);
    },
    complete: () => process.exit(0),
  },
);
