// Gallery and detail pages: cards of drawings still on their way follow the live socket.
import { watchDrawingElements } from "./live.js";

watchDrawingElements(document);
