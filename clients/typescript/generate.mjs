// Writes src/generated/schema.ts from the served schema: openapi-typescript's documented
// Node API, with one setting: a `format: binary` string (an upload, a PNG, a ZIP) is a Blob.
//   node generate.mjs http://127.0.0.1:8000/api/schema/
import fs from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
const schemaUrl = process.argv[2];
if (!schemaUrl) throw new Error("usage: node generate.mjs SCHEMA_URL");

const ast = await openapiTS(new URL(schemaUrl), {
  transform(schemaObject) {
    if (schemaObject.format === "binary") return BLOB;
    return undefined;
  },
});
fs.mkdirSync("src/generated", { recursive: true });
fs.writeFileSync("src/generated/schema.ts", astToString(ast));
