/**
 * Fields that hold a value they refuse (out of range, not a number) say so here, and the view
 * around them (ViewLayout) keeps its Run button disabled with the first field's message, so a
 * refused value is never run with a silently clamped or stale one.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';

type Report = (key: string, problem: string | null) => void;

const FieldProblemsContext = createContext<Report | null>(null);

export const FieldProblemsProvider = FieldProblemsContext.Provider;

/** For the view: the problems its fields report now, and the function they report with. */
export function useFieldProblemRegistry(): { readonly first: string | null; readonly report: Report } {
  const [problems, setProblems] = useState<ReadonlyMap<string, string>>(new Map());
  const report = useCallback<Report>((key, problem) => {
    setProblems((current) => {
      if ((current.get(key) ?? null) === problem) return current;
      const next = new Map(current);
      if (problem === null) next.delete(key);
      else next.set(key, problem);
      return next;
    });
  }, []);
  const first = useMemo(() => (problems.size > 0 ? [...problems.values()][0] : null), [problems]);
  return { first, report };
}

/** For a field: reports its problem (null when its value is usable) while it is mounted. */
export function useReportFieldProblem(key: string, problem: string | null): void {
  const report = useContext(FieldProblemsContext);
  useEffect(() => {
    report?.(key, problem);
  }, [report, key, problem]);
  useEffect(() => () => report?.(key, null), [report, key]);
}
