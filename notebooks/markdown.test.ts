import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';

describe('safe markdown', () => {
  it('renders the supported subset', () => {
    expect(renderMarkdown('# Title\n\nSome **bold**, *em* and `x < y` text.\n\n- one\n- two\n\n1. first')).toBe(
      '<h1>Title</h1>\n<p>Some <strong>bold</strong>, <em>em</em> and <code>x &lt; y</code> text.</p>\n<ul><li>one</li><li>two</li></ul>\n<ol><li>first</li></ol>',
    );
    expect(renderMarkdown('```\n<b>code</b>\n```')).toBe('<pre><code>&lt;b&gt;code&lt;/b&gt;</code></pre>');
    expect(renderMarkdown('see [the paper](https://arxiv.org/abs/2202.05262?a=1&b=2)')).toBe(
      '<p>see <a href="https://arxiv.org/abs/2202.05262?a=1&amp;b=2" rel="noopener noreferrer" target="_blank">the paper</a></p>',
    );
  });

  it('never passes HTML through', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n<img src=x onerror="alert(1)">\n**<iframe>**');
    expect(html).not.toMatch(/<(script|img|iframe)/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<strong>&lt;iframe&gt;</strong>');
  });

  it('links only http(s) and mailto targets, and cannot break out of the attribute', () => {
    expect(renderMarkdown('[x](javascript:alert(1))')).not.toContain('<a');
    expect(renderMarkdown('[x](data:text/html,hi)')).not.toContain('<a');
    const quoted = renderMarkdown('[x](https://a.b/"onmouseover="alert(1))');
    expect(quoted).not.toMatch(/href="[^"]*"onmouseover/);
    expect(quoted).toContain('&quot;');
  });
});
