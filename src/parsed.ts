/**
 * The type a zod schema parses to (zod's `z.output`), spelled so that documented types name no zod
 * internals: `deno doc --lint` counts zod's own types as private. The schemas themselves are left
 * out of the generated docs (`@ignore`); the types made with this are documented instead.
 *
 * @module
 */

/** What a zod schema `T` parses to: `Parsed<typeof Config>`. */
export type Parsed<T extends { _zod: { output: unknown } }> = T["_zod"]["output"];
