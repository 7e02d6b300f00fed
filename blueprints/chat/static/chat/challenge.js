/* Proof of work for a first message from a busy shared network (docs/chat.md "Shared networks").
   The server answers `challenge_required` with an ALTCHA (v1) challenge; this finds the number
   whose SHA-256 with the salt matches, with altcha-lib's own solver served from this site
   (clipai/static/vendor/altcha/, copied from npm by the Makefile): in a Web Worker so the page
   never freezes, or, where a worker cannot start (another origin embeds the widget), on the page
   in short slices. No request leaves the page and nothing is stored. */
import { hashHex } from "../../../static/vendor/altcha/helpers.js";

const WORKER_URL = new URL("../../../static/vendor/altcha/worker.js", import.meta.url);
const SLICE = 500;  // numbers tried between two yields to the page when there is no worker

function valid(challenge) {
  return Boolean(challenge) && typeof challenge.challenge === "string" && typeof challenge.salt === "string"
    && typeof challenge.signature === "string" && Number.isInteger(challenge.maxNumber) && challenge.maxNumber > 0;
}

function inWorker(challenge) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { type: "module" });
    const finish = (settle, value) => { worker.terminate(); settle(value); };
    worker.addEventListener("message", (event) => finish(resolve, event.data ? event.data.number : null));
    worker.addEventListener("error", (event) => { event.preventDefault(); finish(reject, event); });
    worker.postMessage({ type: "work", payload: {
      algorithm: challenge.algorithm, challenge: challenge.challenge, max: challenge.maxNumber,
      salt: challenge.salt, start: 0 } });
  });
}

const yieldToPage = () => new Promise((resolve) => { window.setTimeout(resolve, 0); });

async function onPage(challenge) {
  for (let n = 0; n <= challenge.maxNumber; n += 1) {
    if (n % SLICE === 0) await yieldToPage();
    if (await hashHex(challenge.algorithm, challenge.salt + n) === challenge.challenge) return n;
  }
  return null;
}

async function findNumber(challenge) {
  try {
    return await inWorker(challenge);
  } catch {
    return onPage(challenge);  // no module worker here (another origin, an old browser)
  }
}

/** Solve a challenge; resolve with the base64 payload the server takes as `altcha`, reject if unsolvable. */
export async function solveChallenge(challenge) {
  if (!valid(challenge)) throw new Error("not a challenge");
  const number = await findNumber(challenge);
  if (number === null || number === undefined) throw new Error("no solution");
  const { algorithm, salt, signature } = challenge;
  return btoa(JSON.stringify({ algorithm, challenge: challenge.challenge, number, salt, signature }));
}
