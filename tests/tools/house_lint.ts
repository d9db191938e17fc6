/**
 * The house's structure rules as a `deno lint` plugin (wired in deno.json), so `deno lint`
 * enforces them on every run:
 *
 * - `house/function-length`: no function in `main.ts` or `src/` longer than
 *   {@linkcode MAX_FUNCTION_LINES} lines (tests and tools may be longer).
 * - `house/exported-params`: an exported function (or a public method or constructor of an
 *   exported class) in `main.ts` or `src/` takes at most two arguments plus an options object:
 *   three parameters only when the last is named `options`.
 *
 * @module
 */

/** Longest function allowed in `main.ts` and `src/`, in lines. */
export const MAX_FUNCTION_LINES = 60;

/** The fields of an AST node these rules read (the plugin API's node types, loosened). */
interface Node {
  type: string;
  range: readonly [number, number];
  parent?: Node;
  name?: string;
  left?: Node;
  parameter?: Node;
  key?: Node;
  accessibility?: string;
  params?: Node[];
}

function isProductFile(filename: string): boolean {
  const path = filename.replaceAll("\\", "/");
  if (/\/(tests|sandbox|node_modules)\//.test(path)) return false;
  return /\/src\/.*\.ts$/.test(path) || /\/main\.ts$/.test(path);
}

function lineCount(text: string, range: readonly [number, number]): number {
  let lines = 1;
  for (let i = range[0]; i < range[1]; i++) if (text.charCodeAt(i) === 10) lines++;
  return lines;
}

function paramName(param: Node): string | undefined {
  if (param.type === "Identifier") return param.name;
  if (param.type === "AssignmentPattern" && param.left) return paramName(param.left);
  if (param.type === "TSParameterProperty" && param.parameter) return paramName(param.parameter);
  return undefined;
}

function isExported(node: Node): boolean {
  let at: Node | undefined = node.parent;
  // `export function f`, `export const f = () => {}`, `export default function`.
  while (at && (at.type === "VariableDeclarator" || at.type === "VariableDeclaration")) {
    at = at.parent;
  }
  return at?.type === "ExportNamedDeclaration" || at?.type === "ExportDefaultDeclaration";
}

function isPublicMethodOfExportedClass(node: Node): boolean {
  const method = node.parent;
  if (method?.type !== "MethodDefinition") return false;
  if (method.key?.type === "PrivateIdentifier" || method.accessibility === "private") return false;
  const body = method.parent;
  const cls = body?.parent;
  return cls?.type === "ClassDeclaration" && isExported(cls);
}

/** Names what is wrong with a parameter list, or undefined when it keeps the rule. */
export function paramProblem(names: readonly (string | undefined)[]): string | undefined {
  if (names.length <= 2) return undefined;
  if (names.length === 3 && names[2] === "options") return undefined;
  return `takes ${names.length} parameters: take at most two plus an options object named "options"`;
}

/**
 * A rule that looks at every function of a product file: `problem` says what is wrong with one
 * (its message and hint), or nothing.
 */
function functionRule(
  problem: (node: Deno.lint.Node, text: string) => { message: string; hint: string } | undefined,
): Deno.lint.Rule {
  return {
    create(context) {
      if (!isProductFile(context.filename)) return {};
      const check = (node: Deno.lint.Node) => {
        const found = problem(node, context.sourceCode.text);
        if (found) context.report({ node, ...found });
      };
      return {
        FunctionDeclaration: check,
        FunctionExpression: check,
        ArrowFunctionExpression: check,
      };
    },
  };
}

const functionLength = functionRule((node, text) => {
  const lines = lineCount(text, node.range);
  if (lines <= MAX_FUNCTION_LINES) return undefined;
  return {
    message: `Function is ${lines} lines long (at most ${MAX_FUNCTION_LINES})`,
    hint: "Split it into named steps, each a function of its own",
  };
});

const exportedParams = functionRule((reported) => {
  const node = reported as unknown as Node;
  if (!node.params) return undefined;
  if (!isExported(node) && !isPublicMethodOfExportedClass(node)) return undefined;
  const problem = paramProblem(node.params.map(paramName));
  if (!problem) return undefined;
  return {
    message: `Exported function ${problem}`,
    hint: "Move the optional arguments into an options object",
  };
});

/** The plugin: `house/function-length` and `house/exported-params`. */
const plugin: Deno.lint.Plugin = {
  name: "house",
  rules: { "function-length": functionLength, "exported-params": exportedParams },
};

export default plugin;
