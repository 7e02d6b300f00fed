import assert from "node:assert/strict";
import { test } from "node:test";

import { fileProblem, pastedImages } from "../../clipai/static/js/images.js";

const MB = 1024 * 1024;

test("PNG, JPEG and WebP up to the limit can be attached", () => {
  for (const type of ["image/png", "image/jpeg", "image/webp"]) {
    assert.equal(fileProblem({ type, size: 5 * MB }, 5 * MB), null);
  }
});

test("other types are refused before anything is uploaded", () => {
  for (const type of ["image/svg+xml", "application/pdf", "image/gif", "text/html", ""]) {
    assert.equal(fileProblem({ type, size: 10 }, 5 * MB), "type");
  }
  assert.equal(fileProblem(null, 5 * MB), "type");
});

test("a file over the limit is refused by size", () => {
  assert.equal(fileProblem({ type: "image/png", size: 5 * MB + 1 }, 5 * MB), "size");
});

test("a paste keeps only its images", () => {
  const files = [{ type: "image/png" }, { type: "text/plain" }, { type: "image/svg+xml" }];
  assert.deepEqual(pastedImages({ files }), [files[0], files[2]]);  // the type check comes after
  assert.deepEqual(pastedImages(null), []);
});
