namespace Events.Grains;

// A grain refused a command because of what was asked, not because of a fault. The message is
// written for the person who asked and is shown to them as it is.
public sealed class ValidationFailedException(string message) : Exception(message);
