use junction::{select, unbounded};

fn main() {
    let (s, r) = unbounded::<i32>();
    select! {
        recv(s) -> msg => println!("{msg:?}"),
        recv(r) -> msg => println!("{msg:?}"),
    }
}
