import { isSafeHref, type MarkdownNode, parseMarkdownLite } from '@parley/shared';
import { type ReactNode, useMemo } from 'react';
import './rich-text.css';

/**
 * A message body with its markdown-lite formatting. The parser returns tokens, never HTML, and every
 * token becomes a React element or React text here (escaped), so nothing a customer or an agent writes
 * can become markup. Hrefs come from the parser (http, https and mailto only) and are checked again.
 */
export function RichText({ text }: { text: string }): ReactNode {
  const nodes = useMemo(() => parseMarkdownLite(text), [text]);
  return renderNodes(nodes, 'n');
}

function renderNodes(nodes: MarkdownNode[], prefix: string): ReactNode[] {
  return nodes.map((node, index) => renderNode(node, `${prefix}${index}`));
}

function renderNode(node: MarkdownNode, key: string): ReactNode {
  switch (node.type) {
    case 'text':
      return node.text;
    case 'bold':
      return <strong key={key}>{renderNodes(node.children, key)}</strong>;
    case 'italic':
      return <em key={key}>{renderNodes(node.children, key)}</em>;
    case 'code':
      return (
        <code key={key} className="rich__code">
          {node.text}
        </code>
      );
    case 'code_block':
      return (
        <pre key={key} className="rich__pre">
          <code>{node.text}</code>
        </pre>
      );
    case 'link':
      if (!isSafeHref(node.href)) return <span key={key}>{renderNodes(node.children, key)}</span>;
      return (
        <a
          key={key}
          href={node.href}
          title={node.href}
          target="_blank"
          rel="noopener noreferrer nofollow"
          className="rich__link"
        >
          {renderNodes(node.children, key)}
        </a>
      );
  }
}
