import { useEffect, useState } from 'react';

/** The value, once it has stopped changing for `delay` ms (search-as-you-type without a query per key). */
export function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(t);
  }, [value, delay]);
  return settled;
}
