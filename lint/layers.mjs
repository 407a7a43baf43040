// The one-way layering of mailfort as a lint rule (docs/architecture.md draws it). Every import,
// re-export, dynamic import() and require() of a relative path is resolved against the
// repository and judged by the layer of the importing file. Packages and node: builtins are not
// layers. Tests are exempt: they test internals on purpose.
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Layer of a repository path: its top folder, and infra's sub-layer. */
function where(file) {
  const rel = path.relative(ROOT, file).split(path.sep).join("/");
  const [top = "", sub = ""] = rel.split("/");
  return { rel, top, sub };
}

const isIndex = (rel, dir) => rel === dir || rel === `${dir}/index` || rel === `${dir}/index.ts`;

/** What `from` may not import, as a message, or undefined when the arrow is allowed. */
export function violation(fromFile, targetFile) {
  const from = where(fromFile);
  const to = where(targetFile);
  if (from.rel.startsWith("..") || to.rel.startsWith("..") || from.top === "test") return undefined;
  if (from.top === "infra" && ["tools", "policy", "lab", "fleet", "bench", "verify", "plan", "restore", "reports", "docs"].includes(to.top)) {
    return `infra/ imports nothing from ${to.top}/: the program is the bottom layer, everything else builds on it (${to.rel})`;
  }
  if (from.top === "verify" && to.top !== "verify") {
    return `verify/ imports nothing outside verify/: it judges the server from outside, with its own parsers (${to.rel})`;
  }
  if (from.top === "reports" && to.top !== "reports") {
    return `reports/ imports nothing outside reports/: it runs on the mail host too, on its own (${to.rel})`;
  }
  if (from.top === "policy" && to.top === "infra" && to.sub !== "config") {
    return `policy/ never imports infra/${to.sub}: the pack judges what the program produced and must not trust its rendering (${to.rel})`;
  }
  if (from.top === "policy" && ["tools", "lab", "fleet", "bench", "verify", "plan", "restore", "reports", "docs"].includes(to.top)) {
    return `policy/ is the pack alone and imports nothing from ${to.top}/ (${to.rel})`;
  }
  if (from.top !== "infra" && to.top === "infra" && to.sub === "config" && !isIndex(to.rel, "infra/config")) {
    return `outside infra/, reach infra/config only through its index ("…/infra/config"), not ${to.rel}`;
  }
  if (from.top !== "lab" && to.top === "lab" && !isIndex(to.rel, "lab")) {
    return `outside lab/, reach the lab only through its front ("…/lab", lab/index.ts), not ${to.rel}`;
  }
  return undefined;
}

function check(context, node, source) {
  if (source?.type !== "Literal" || typeof source.value !== "string" || !source.value.startsWith(".")) return;
  const file = context.filename;
  const target = path.resolve(path.dirname(file), source.value).replace(/\.(ts|js|mjs)$/, "");
  const message = violation(file, target);
  if (message !== undefined) context.report({ node, message });
}

export const layersRule = {
  meta: { type: "problem", docs: { description: "imports follow mailfort's one-way layers" }, schema: [] },
  create(context) {
    return {
      ImportDeclaration: (node) => check(context, node, node.source),
      ExportNamedDeclaration: (node) => check(context, node, node.source),
      ExportAllDeclaration: (node) => check(context, node, node.source),
      ImportExpression: (node) => check(context, node, node.source),
      TSImportEqualsDeclaration: (node) => check(context, node, node.moduleReference?.expression),
      CallExpression: (node) => {
        if (node.callee.type === "Identifier" && node.callee.name === "require") check(context, node, node.arguments[0]);
      },
    };
  },
};

export const layersPlugin = { rules: { layers: layersRule } };
