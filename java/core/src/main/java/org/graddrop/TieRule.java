package org.graddrop;

/** Which gradients survive when f(P) equals U, and what happens to a zero G. */
public enum TieRule {
    /** Keep G &gt; 0 where f(P) &gt; U and G &lt; 0 where f(P) &lt; U: a tie drops both signs and G = 0 is dropped. */
    PAPER,

    /** Keep G &gt; 0 where f(P) ≥ U and G &lt; 0 where f(P) &lt; U, and always keep G = 0. */
    LINGVO
}
