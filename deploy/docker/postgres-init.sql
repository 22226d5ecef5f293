-- One database per service that keeps data (each service owns its tables; none reads another's).
CREATE DATABASE storyscape_prompt;
CREATE DATABASE storyscape_media;
CREATE DATABASE storyscape_story;
