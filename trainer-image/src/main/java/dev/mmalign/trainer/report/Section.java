package dev.mmalign.trainer.report;

/**
 * One section of the report: an anchor id, a title and its HTML body; or, when its input is missing, a note saying
 * why it is left out (a report never fails for want of an input).
 */
public record Section(String id, String title, String body, String omittedBecause) {

    public static Section of(String id, String title, String body) {
        return new Section(id, title, body, null);
    }

    public static Section omitted(String id, String title, String why) {
        return new Section(id, title, null, why);
    }

    /** The same section under another anchor and title (e.g. one per dataset when the report shows several). */
    public Section labelled(String newId, String newTitle) {
        return new Section(newId, newTitle, body, omittedBecause);
    }

    public boolean isOmitted() {
        return omittedBecause != null;
    }
}
