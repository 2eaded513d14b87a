// Writes src/generated/NAME.ts (schema.ts unless named) from a served OpenAPI document:
// openapi-typescript's documented Node API, with one setting: a `format: binary` string (an
// upload, a PNG, a ZIP) is a Blob.
//   node generate.mjs http://127.0.0.1:8000/api/schema/
//   node generate.mjs http://127.0.0.1:8000/api/v1/auth/app/openapi.json account
import fs from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
const [schemaUrl, name = "schema"] = process.argv.slice(2);
if (!schemaUrl || !/^[a-z_]+$/.test(name)) {
  throw new Error("usage: node generate.mjs SCHEMA_URL [NAME]");
}

const ast = await openapiTS(new URL(schemaUrl), {
  transform(schemaObject) {
    if (schemaObject.format === "binary") return BLOB;
    return undefined;
  },
});
fs.mkdirSync("src/generated", { recursive: true });
fs.writeFileSync(`src/generated/${name}.ts`, astToString(ast));
