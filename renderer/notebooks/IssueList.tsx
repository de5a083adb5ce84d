/** Validation problems, one per line, as the validator words them. */
export function IssueList({ issues, testId = 'nb-issues' }: { issues: readonly string[]; testId?: string }) {
  if (issues.length === 0) return null;
  return (
    <ul className="nb-issues" role="alert" data-testid={testId}>
      {issues.map((text, i) => (
        <li key={i}>{text}</li>
      ))}
    </ul>
  );
}
