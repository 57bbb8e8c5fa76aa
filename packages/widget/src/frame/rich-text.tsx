import { isSafeHref, type MarkdownNode, parseMarkdownLite } from '@parley/shared/markdown-lite';
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (see tsconfig jsxFactory).
import { h } from './dom.ts';

/**
 * Message text with its markdown-lite formatting, as DOM nodes. The parser returns tokens (never
 * HTML); text becomes text nodes and links only carry hrefs the parser validated (http, https,
 * mailto), checked once more here and again by the JSX factory.
 */
export function richText(text: string): Node[] {
  return parseMarkdownLite(text).map(render);
}

function render(node: MarkdownNode): Node {
  switch (node.type) {
    case 'text':
      return document.createTextNode(node.text);
    case 'bold':
      return <strong>{node.children.map(render)}</strong>;
    case 'italic':
      return <em>{node.children.map(render)}</em>;
    case 'code':
      return <code class="pw-code">{node.text}</code>;
    case 'code_block':
      return (
        <pre class="pw-pre">
          <code>{node.text}</code>
        </pre>
      );
    case 'link':
      if (!isSafeHref(node.href)) return <span>{node.children.map(render)}</span>;
      return (
        <a href={node.href} title={node.href} target="_blank" rel="noopener noreferrer nofollow">
          {node.children.map(render)}
        </a>
      );
  }
}
