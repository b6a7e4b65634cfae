package org.graddrop;

/** How the sums S = ΣG and T = Σ|G| become the value that the keep function reads. */
public enum PurityForm {
    /** P = ½ (1 + S / (T + ε)), and P = ½ where T + ε = 0. */
    PAPER,

    /** r = S / (2T + ε), and r = 0 where 2T + ε = 0; the keep function reads r and the reported purity is r + ½. */
    LINGVO
}
