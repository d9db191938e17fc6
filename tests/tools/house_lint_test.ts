import assert from "node:assert/strict";
import plugin, { MAX_FUNCTION_LINES, paramProblem } from "./house_lint.ts";

function messages(filename: string, source: string): string[] {
  return Deno.lint.runPlugin(plugin, filename, source).map((d) => `${d.id}: ${d.message}`);
}

function functionOf(lines: number): string {
  return `export function f(): void {\n${"  void 0;\n".repeat(lines - 2)}}\n`;
}

Deno.test("house/function-length allows a function of the limit and flags one line more", () => {
  assert.deepStrictEqual(messages("/p/src/a.ts", functionOf(MAX_FUNCTION_LINES)), []);
  assert.deepStrictEqual(messages("/p/src/a.ts", functionOf(MAX_FUNCTION_LINES + 1)), [
    `house/function-length: Function is ${MAX_FUNCTION_LINES + 1} lines long (at most 60)`,
  ]);
});

Deno.test("house/function-length counts methods and arrows, and skips tests and the sandbox", () => {
  const body = "    void 0;\n".repeat(MAX_FUNCTION_LINES);
  const source = `export class C {\n  m(): void {\n${body}  }\n}\nconst g = () => {\n${body}};\n`;
  assert.deepStrictEqual(messages("/p/main.ts", source).length, 2);
  assert.deepStrictEqual(messages("/p/tests/a_test.ts", source), []);
  assert.deepStrictEqual(messages("/p/sandbox/main.ts", source), []);
});

Deno.test("house/exported-params: two plus options, for exported functions and public methods", () => {
  assert.deepStrictEqual(paramProblem(["a", "b"]), undefined);
  assert.deepStrictEqual(paramProblem(["a", "b", "options"]), undefined);
  assert.deepStrictEqual(
    paramProblem(["a", "b", "c"]),
    'takes 3 parameters: take at most two plus an options object named "options"',
  );
  const source = [
    "export function a(x: number, y: number, z: number): void {}",
    "function b(x: number, y: number, z: number): void {}",
    "export function c(x: number, y: number, options = {}): void {}",
    "export class K { m(x: number, y: number, z: number): void {} #p(x: number, y: number, z: number): void {} }",
    "class L { m(x: number, y: number, z: number): void {} }",
    "export const d = (x: number, y: number, z: number): void => {};",
  ].join("\n");
  assert.deepStrictEqual(messages("/p/src/a.ts", source).length, 3);
  assert.deepStrictEqual(messages("/p/tests/a.ts", source), []);
});
